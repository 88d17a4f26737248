using System.Security.Claims;
using System.Text.Json;

namespace ResourceServer;

/// <summary>
/// Holds an RFC 7662 answer to the rules JWT mode applies to a token: active, issuer, exact audience, expiry within the
/// clock skew, an access token of type Bearer, and one space-separated <c>scope</c>. What passes becomes the caller's identity.
/// </summary>
internal static class IntrospectionResponse
{
    public const string AuthenticationType = "Introspection";

    /// <summary>The identity and expiry of an active token that passes every rule; otherwise the reason, safe to return to the caller.</summary>
    public static (ClaimsIdentity? Identity, DateTimeOffset Expires, TokenRejectedException? Rejection) Validate(
        JsonElement answer, ResourceServerOptions settings, string discoveredIssuer, DateTimeOffset now)
    {
        // RFC 7662 §2.2: only a JSON true is active; anything else (false, "true", missing) is not.
        if (!answer.TryGetProperty("active", out var active) || active.ValueKind != JsonValueKind.True)
        {
            return Reject("The token is not active");
        }

        if (String(answer, "iss") is not { } issuer || (issuer != discoveredIssuer && !settings.ValidIssuers.Contains(issuer, StringComparer.Ordinal)))
        {
            return Reject("The issuer is invalid");
        }

        // Exact match, as in JWT mode: no trailing-slash or case leniency.
        if (!Audiences(answer).Contains(settings.Audience, StringComparer.Ordinal))
        {
            return Reject("The audience is invalid");
        }

        // TryGetInt64 throws on a non-number: check the kind first, so a malformed answer is a rejection, not an outage.
        if (!answer.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expSeconds))
        {
            return Reject("The token has no expiration");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
        if (now > expires + settings.ClockSkew)
        {
            return Reject("The token is expired");
        }

        if (answer.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number && nbf.TryGetInt64(out var nbfSeconds)
            && now + settings.ClockSkew < DateTimeOffset.FromUnixTimeSeconds(nbfSeconds))
        {
            return Reject("The token is not valid yet");
        }

        // A sender-constrained (DPoP) token, or an IdP's refresh or ID token, is not a bearer access token this API can accept.
        if (!IsAbsentOr(answer, "token_type", "Bearer", StringComparison.OrdinalIgnoreCase)
            || !IsAbsentOr(answer, "typ", "Bearer", StringComparison.Ordinal)
            || !IsAbsentOr(answer, "token_usage", "access_token", StringComparison.Ordinal))
        {
            return Reject("The token type is not accepted");
        }

        // RFC 7662 §2.2: scope is one space-separated string; an array would defeat exact parsing.
        if (answer.TryGetProperty(Scopes.ClaimType, out var scope) && scope.ValueKind != JsonValueKind.String)
        {
            return Reject("The scope claim must be a space-separated string");
        }

        return (ToIdentity(answer), expires, null);

        static (ClaimsIdentity?, DateTimeOffset, TokenRejectedException?) Reject(string reason) =>
            (null, default, new TokenRejectedException(reason));
    }

    /// <summary>The answer's members as claims, named as in the JWT (no inbound mapping), so endpoints read the same claims in either mode.</summary>
    private static ClaimsIdentity ToIdentity(JsonElement answer)
    {
        var claims = new List<Claim>();
        foreach (var member in answer.EnumerateObject())
        {
            if (member.NameEquals("active"))
            {
                continue;
            }

            switch (member.Value.ValueKind)
            {
                case JsonValueKind.String:
                    claims.Add(new Claim(member.Name, member.Value.GetString()!));
                    break;
                case JsonValueKind.Number:
                    claims.Add(new Claim(member.Name, member.Value.GetRawText(), ClaimValueTypes.Integer64));
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    claims.Add(new Claim(member.Name, member.Value.ValueKind == JsonValueKind.True ? "true" : "false", ClaimValueTypes.Boolean));
                    break;
                case JsonValueKind.Array:
                    claims.AddRange(member.Value.EnumerateArray()
                        .Where(item => item.ValueKind == JsonValueKind.String)
                        .Select(item => new Claim(member.Name, item.GetString()!)));
                    break;
                case JsonValueKind.Object:
                    claims.Add(new Claim(member.Name, member.Value.GetRawText(), "JSON"));
                    break;
            }
        }

        return new ClaimsIdentity(claims, AuthenticationType, nameType: "client_id", roleType: "role");
    }

    private static IEnumerable<string> Audiences(JsonElement answer)
    {
        if (!answer.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList(),
            _ => [],
        };
    }

    private static string? String(JsonElement answer, string name) =>
        answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsAbsentOr(JsonElement answer, string name, string expected, StringComparison comparison) =>
        !answer.TryGetProperty(name, out var value)
        || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), expected, comparison));

    /// <summary>For the log: who the answer says the token belongs to, cut short.</summary>
    public static string? ClientIdOf(JsonElement answer) =>
        (String(answer, "client_id") ?? String(answer, "azp")) is { } id ? id[..Math.Min(id.Length, 100)] : null;
}
