using System.Buffers.Binary;
using WorkloadFederation.Contracts;

namespace WorkloadFederation.Gateway.Admin.Audit;

/// <summary>
/// The wire form of audit event ids and <c>next</c> cursors: opaque strings (API.md "Ids are opaque strings"), the
/// base64url of the event's number within its tenant. Opaque so that clients pass them back rather than compute with
/// them; per tenant so that they reveal nothing about other tenants' activity.
/// </summary>
internal static class AuditCursor
{
    /// <summary>The wire form of a tenant's event number.</summary>
    public static string Encode(long number)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, number);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor this node wrote; false for anything else.</summary>
    public static bool TryDecode(string text, out long number)
    {
        number = 0;
        if (text.Length != 11 || !Base64UrlStrict.TryDecode(text, out var bytes) || bytes.Length != sizeof(long))
        {
            return false;
        }

        number = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return number >= 0;
    }
}
