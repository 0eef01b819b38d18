using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>Timestamp and duration parsing, formatting and calendar getters (langdef "Timestamp and Duration").</summary>
internal static class TimeFunctions
{
    private const long NanosPerSecond = 1_000_000_000;
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    public static string FormatTimestamp(TimestampValue t)
    {
        var dt = DateTime.UnixEpoch.AddTicks(t.Seconds * TimeSpan.TicksPerSecond);
        var sb = new StringBuilder(dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        var nanos = t.NanoOfSecond;
        if (nanos != 0)
        {
            sb.Append('.').Append(nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        sb.Append('Z');
        return sb.ToString();
    }

    public static string FormatDuration(Int128 nanos)
    {
        var neg = nanos < 0;
        var abs = neg ? -nanos : nanos;
        var seconds = (long)(abs / NanosPerSecond);
        var frac = (int)(abs % NanosPerSecond);
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        sb.Append(seconds.ToString(CultureInfo.InvariantCulture));
        if (frac != 0)
        {
            sb.Append('.').Append(frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        sb.Append('s');
        return sb.ToString();
    }

    /// <summary>Parses RFC 3339 (<c>2006-01-02T15:04:05.999999999Z07:00</c>).</summary>
    public static CelValue ParseTimestamp(string s)
    {
        var error = Errors.InvalidArgument("timestamp('" + Truncate(s) + "'): not an RFC 3339 timestamp");
        var i = 0;
        if (!Digits(s, ref i, 4, out var year) || !Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var month)
            || !Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var day)) return error;
        if (i >= s.Length || (s[i] != 'T' && s[i] != 't')) return error;
        i++;
        if (!Digits(s, ref i, 2, out var hour) || !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out var minute)
            || !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out var second)) return error;
        long nanos = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            var digits = i - start;
            if (digits == 0 || digits > 9) return error;
            nanos = long.Parse(s.AsSpan(start, digits), CultureInfo.InvariantCulture);
            for (var k = digits; k < 9; k++) nanos *= 10;
        }

        if (i >= s.Length) return error;
        var offsetSeconds = 0;
        if (s[i] == 'Z' || s[i] == 'z')
        {
            i++;
        }
        else if (s[i] == '+' || s[i] == '-')
        {
            var sign = s[i] == '-' ? -1 : 1;
            i++;
            if (!Digits(s, ref i, 2, out var oh) || !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out var om) || oh > 23 || om > 59) return error;
            offsetSeconds = sign * (oh * 3600 + om * 60);
        }
        else
        {
            return error;
        }

        if (i != s.Length) return error;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return error;
        }

        var dt = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        var secs = (long)(dt - DateTime.UnixEpoch).TotalSeconds - offsetSeconds;
        return ValueOps.Timestamp((Int128)secs * NanosPerSecond + nanos);
    }

    /// <summary>Parses a Go-style duration such as <c>1h2m3.5s</c>, <c>-1.5h</c> or <c>100ns</c>.</summary>
    public static CelValue ParseDuration(string s)
    {
        var error = Errors.InvalidArgument("duration('" + Truncate(s) + "'): invalid duration");
        var i = 0;
        var neg = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            neg = s[i] == '-';
            i++;
        }

        if (i == s.Length) return error;
        if (s.AsSpan(i).SequenceEqual("0")) return new DurationValue(0);
        Int128 total = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            var intPart = s.AsSpan(start, i - start);
            ReadOnlySpan<char> fracPart = default;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fs = i;
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                fracPart = s.AsSpan(fs, i - fs);
            }

            if (intPart.Length == 0 && fracPart.Length == 0) return error;
            var us = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            Int128 unit = s.AsSpan(us, i - us) switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => NanosPerSecond,
                "m" => 60 * NanosPerSecond,
                "h" => 3600 * NanosPerSecond,
                _ => 0,
            };
            if (unit == 0 || intPart.Length > 30) return error;
            Int128 whole = intPart.Length == 0 ? 0 : Int128.Parse(intPart, CultureInfo.InvariantCulture);
            total += whole * unit;
            Int128 scale = 1;
            foreach (var ch in fracPart)
            {
                scale *= 10;
                if (scale > unit * 10_000) break;
                total += (ch - '0') * unit / scale;
            }

            if (total > DurationValue.MaxNanos * 2) return Errors.DurationOverflow;
        }

        return ValueOps.Duration(neg ? -total : total);
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "…" : s;

    private static bool Digits(string s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length) return false;
        for (var k = 0; k < count; k++)
        {
            var c = s[i + k];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }

        i += count;
        return true;
    }

    private static bool Expect(string s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }

        return false;
    }

    /// <summary>The calendar date-time of a timestamp in a time zone (IANA name or <c>[+-]HH:MM</c>), or an error.</summary>
    public static CelValue Local(TimestampValue t, string? zone, out DateTime local)
    {
        var utc = t.ToDateTime();
        local = utc;
        if (zone is null || zone.Length == 0 || zone == "UTC" || zone == "Z") return NullValue.Instance;
        var z = zone;
        var sign = 1;
        if (z[0] == '+' || z[0] == '-')
        {
            sign = z[0] == '-' ? -1 : 1;
            z = z[1..];
        }

        if (z.Length == 5 && z[2] == ':' && char.IsAsciiDigit(z[0]) && char.IsAsciiDigit(z[1]) && char.IsAsciiDigit(z[3]) && char.IsAsciiDigit(z[4]))
        {
            var minutes = ((z[0] - '0') * 10 + (z[1] - '0')) * 60 + (z[3] - '0') * 10 + (z[4] - '0');
            local = SafeAdd(utc, TimeSpan.FromMinutes(sign * minutes));
            return NullValue.Instance;
        }

        // Zone names come from data: only plain IANA-style names reach the system lookup (no paths).
        if (zone.Length > 64 || zone.Contains("..", StringComparison.Ordinal) || zone.StartsWith('/')
            || zone.AsSpan().ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/"))
        {
            return Errors.InvalidArgument("unknown time zone: " + Truncate(zone));
        }

        var tz = Zones.GetOrAdd(zone, static name =>
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(name);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
                return null;
            }
        });
        if (Zones.Count > 1024) Zones.Clear();
        if (tz is null) return Errors.InvalidArgument("unknown time zone: " + Truncate(zone));
        local = SafeAdd(utc, tz.GetUtcOffset(utc));
        return NullValue.Instance;
    }

    private static DateTime SafeAdd(DateTime dt, TimeSpan offset)
    {
        var ticks = dt.Ticks + offset.Ticks;
        return new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Unspecified);
    }

    public static CelValue TimestampGetter(string function, CelValue target, CelValue? zoneArg)
    {
        if (target is not TimestampValue t) return Errors.NoSuchOverload(function, target);
        string? zone = null;
        if (zoneArg is not null)
        {
            if (zoneArg is not StringValue zs) return Errors.NoSuchOverload(function, target, zoneArg);
            zone = zs.Value;
        }

        var err = Local(t, zone, out var d);
        if (err is ErrorValue) return err;
        return function switch
        {
            "getFullYear" => IntValue.Of(d.Year),
            "getMonth" => IntValue.Of(d.Month - 1),
            "getDate" => IntValue.Of(d.Day),
            "getDayOfMonth" => IntValue.Of(d.Day - 1),
            "getDayOfWeek" => IntValue.Of((int)d.DayOfWeek),
            "getDayOfYear" => IntValue.Of(d.DayOfYear - 1),
            "getHours" => IntValue.Of(d.Hour),
            "getMinutes" => IntValue.Of(d.Minute),
            "getSeconds" => IntValue.Of(d.Second),
            "getMilliseconds" => IntValue.Of(t.NanoOfSecond / 1_000_000),
            _ => Errors.NoSuchOverload(function, target),
        };
    }

    public static CelValue DurationGetter(string function, DurationValue d) => function switch
    {
        "getHours" => IntValue.Of((long)(d.Nanos / (3600 * NanosPerSecond))),
        "getMinutes" => IntValue.Of((long)(d.Nanos / (60 * NanosPerSecond))),
        "getSeconds" => IntValue.Of((long)(d.Nanos / NanosPerSecond)),
        "getMilliseconds" => IntValue.Of((long)(d.Nanos % NanosPerSecond / 1_000_000)),
        _ => Errors.NoSuchOverload(function, d),
    };
}
