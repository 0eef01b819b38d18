using WorkloadFederation.Cel;
using System.Text;

namespace WorkloadFederation.Benchmarks.Cel;

/// <summary>Inputs shared by the CEL benchmarks: a realistic GitHub Actions OIDC payload and trust conditions.</summary>
public static class CelBenchmarkData
{
    /// <summary>A GitHub Actions ID token payload with 25 claims.</summary>
    public static readonly byte[] GitHubActionsPayload = Encoding.UTF8.GetBytes("""
        {
          "jti": "8d5b5a54-1c2b-4f9e-9a7e-3f0a6a1f2c11",
          "sub": "repo:acme/infra:environment:production",
          "aud": "https://sts.example.com",
          "ref": "refs/heads/main",
          "sha": "d6e1f3b2a9c84e1f7b0a5c3d2e1f4a6b8c9d0e1f",
          "repository": "acme/infra",
          "repository_owner": "acme",
          "repository_owner_id": "1234567",
          "repository_id": "76543210",
          "repository_visibility": "private",
          "run_id": "9876543210",
          "run_number": "412",
          "run_attempt": "1",
          "runner_environment": "github-hosted",
          "actor": "octocat",
          "actor_id": "583231",
          "workflow": "deploy",
          "workflow_ref": "acme/infra/.github/workflows/deploy.yml@refs/heads/main",
          "workflow_sha": "d6e1f3b2a9c84e1f7b0a5c3d2e1f4a6b8c9d0e1f",
          "job_workflow_ref": "acme/workflows/.github/workflows/deploy.yml@refs/heads/main",
          "head_ref": "",
          "base_ref": "",
          "event_name": "push",
          "ref_type": "branch",
          "environment": "production",
          "iss": "https://token.actions.githubusercontent.com",
          "nbf": 1732230000,
          "exp": 1732230900,
          "iat": 1732230300
        }
        """);

    /// <summary>The condition of the evaluation target.</summary>
    public const string HotCondition = "claims.repository == \"acme/infra\" && claims.environment == \"production\"";

    /// <summary>A realistic condition padded with further clauses to exactly 1024 UTF-8 bytes.</summary>
    public static readonly string Condition1024 = Build1024();

    private static string Build1024()
    {
        var sb = new StringBuilder();
        sb.Append("claims.repository == \"acme/infra\" && claims.environment == \"production\"\n");
        sb.Append("&& claims.sub.startsWith(\"repo:acme/\") && claims.ref in [\"refs/heads/main\", \"refs/heads/release\"]\n");
        sb.Append("&& claims.job_workflow_ref.matches(\"^acme/workflows/\\\\.github/workflows/[a-z-]+\\\\.yml@refs/heads/main$\")\n");
        sb.Append("&& claims.repository_visibility != \"public\" && claims.runner_environment == \"github-hosted\"\n");
        sb.Append("&& (claims.event_name == \"push\" || claims.event_name == \"workflow_dispatch\")\n");
        sb.Append("&& has(claims.actor) && size(claims.sha) == 40 && claims.ref_type == \"branch\"\n");
        sb.Append("&& [\"octocat\", \"hubot\", \"deploy-bot\"].exists(a, a == claims.actor)\n");
        var i = 0;
        while (Encoding.UTF8.GetByteCount(sb.ToString()) < 1024 - 60)
        {
            sb.Append($"&& claims.workflow != \"blocked-{i++:D3}\"\n");
        }

        sb.Append("&& claims.repository_owner == \"acme\"");
        while (Encoding.UTF8.GetByteCount(sb.ToString()) < 1024) sb.Insert(0, ' ');
        return sb.ToString();
    }

    public static CelEnvironment Environment { get; } = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .WithLimits(CelLimits.Default with { MaxSourceBytes = 1024 })
        .Build();
}
