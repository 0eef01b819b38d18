# Disable propagation across silos: a trust disabled through the first silo is refused on the others. Latency from
# the PATCH's answer to the first refusal on each silo, over N trials (bounded), keep-alive connections, polling
# back to back (the later silos are polled after the earlier ones, so their figures are upper bounds).
# usage: python3 disable-propagation.py PORT1,PORT2,PORT3 <silo 1 data dir>/bootstrap-admin.json TRIALS
import http.client, json, sys, time, urllib.parse
ports = [int(p) for p in sys.argv[1].split(',')]
boot = json.load(open(sys.argv[2])); trials = int(sys.argv[3])
conns = {p: http.client.HTTPConnection('127.0.0.1', p, timeout=10) for p in ports}
def req(p, method, path, body=None, headers=None, form=None):
    h = dict(headers or {})
    if form is not None:
        body = urllib.parse.urlencode(form); h['content-type'] = 'application/x-www-form-urlencoded'
    elif body is not None:
        body = json.dumps(body); h['content-type'] = 'application/json'
    c = conns[p]; c.request(method, path, body=body, headers=h); r = c.getresponse(); data = r.read()
    return r.status, (json.loads(data) if data else None)
A = ports[0]
s, tok = req(A, 'POST', '/auth/v1/token', form={'grant_type': 'client_credentials', 'client_id': boot['client_id'], 'client_secret': boot['client_secret']})
H = {'authorization': 'Bearer ' + tok['access_token']}
_, provs = req(A, 'GET', '/api/v1/providers', headers=H)
prov = [x for x in provs['providers'] if x['issuer_url'].startswith(f'http://127.0.0.1:{A}/')][0]['id']
_, sp = req(A, 'POST', '/api/v1/service-principals', {'display_name': 'prop', 'roles': ['Basic User'], 'owners': []}, H)
_, tr = req(A, 'POST', f"/api/v1/service-principals/{sp['id']}/trusts", {'display_name': 'prop', 'provider_id': prov, 'condition': 'claims.repository == "acme/infra"', 'enabled': True}, H)
_, minted = req(A, 'POST', '/dev/oidc/token', {'audience': 'localhost', 'preset': 'github-actions', 'claims': {'repository': 'acme/infra'}, 'lifetime_seconds': 600})
form = {'grant_type': 'urn:ietf:params:oauth:grant-type:token-exchange', 'client_id': tr['client_id'], 'subject_token': minted['token'], 'subject_token_type': 'urn:ietf:params:oauth:token-type:jwt'}
path = f"/api/v1/service-principals/{sp['id']}/trusts/{tr['id']}"
def wait(p, ok, bound=30.0):
    t0 = time.perf_counter()
    while True:
        s, _ = req(p, 'POST', '/auth/v1/token', form=form)
        if (s == 200) == ok: return time.perf_counter() - t0
        if time.perf_counter() - t0 > bound: raise SystemExit(f'silo {p}: not {"accepted" if ok else "refused"} within {bound} s')
for p in ports: wait(p, True)
lat = {p: [] for p in ports[1:]}
for i in range(trials):
    s, _ = req(A, 'PATCH', path, {'enabled': False}, H); assert s == 200, s
    t = time.perf_counter()
    s, _ = req(A, 'POST', '/auth/v1/token', form=form); assert s != 200, 'silo A still accepts after its own PATCH answered'
    for p in ports[1:]:
        wait(p, False); lat[p].append(time.perf_counter() - t)
    s, _ = req(A, 'PATCH', path, {'enabled': True}, H); assert s == 200, s
    for p in ports: wait(p, True)
def pct(v, q): v = sorted(v); return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
allv = [x for v in lat.values() for x in v]
for p, v in lat.items():
    print(f'silo {p}: n={len(v)} p50={pct(v,.5)*1000:.1f} ms p99={pct(v,.99)*1000:.1f} ms max={max(v)*1000:.1f} ms')
print(f'all: n={len(allv)} p50={pct(allv,.5)*1000:.1f} ms p99={pct(allv,.99)*1000:.1f} ms max={max(allv)*1000:.1f} ms')
