using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ResourceServer;

/// <summary>
/// What a validly signed token must still satisfy (RFC 7519, RFC 8725, RFC 9068 §2.2): the checks JsonWebTokenHandler
/// does not make. They read the token's own JSON, so a repeated name or a date written as a string cannot hide behind
/// the library's parsing. Every message is fixed text, safe for the <c>WWW-Authenticate</c> header.
/// </summary>
internal static class TokenClaimRules
{
    /// <summary>Keycloak's payload <c>typ</c> of an access token; its ID and refresh tokens are signed with the same key.</summary>
    public const string AccessTokenType = "Bearer";

    public static TokenRejectedException? Check(JsonWebToken jwt, TimeSpan maxLifetime, TimeSpan clockSkew, DateTimeOffset now)
    {
        if (HasRepeatedName(jwt.EncodedHeader))
        {
            return new TokenRejectedException("The token header repeats a parameter name");
        }

        var payload = Decode(jwt.EncodedPayload);
        if (payload is null)
        {
            return new TokenRejectedException("The token is malformed");
        }

        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new TokenRejectedException("The token is malformed");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        double? issuedAt = null, expires = null;
        var hasClientIdentity = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                // RFC 8725 §3.8 / RFC 7519 §4: a second "aud" or "iss" must not decide which value counts.
                return new TokenRejectedException("The token repeats a claim name");
            }

            reader.Read();
            switch (name)
            {
                case "exp" or "iat" or "nbf":
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var seconds))
                    {
                        return new TokenRejectedException($"The {name} claim must be a number (NumericDate)");
                    }

                    if (name == "exp")
                    {
                        expires = seconds;
                    }
                    else if (name == "iat")
                    {
                        issuedAt = seconds;
                    }

                    break;
                case "iss" or "sub" or "jti" or "client_id" or "azp" or "typ":
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty)
                    {
                        return new TokenRejectedException($"The {name} claim must be a non-empty string");
                    }

                    if (name == "typ" && !reader.ValueTextEquals(AccessTokenType))
                    {
                        return new TokenRejectedException("The token is not an access token (typ)");
                    }

                    hasClientIdentity |= name is "client_id" or "azp";
                    break;
            }

            reader.Skip();
        }

        foreach (var required in (ReadOnlySpan<string>)["iss", "sub", "aud", "exp", "iat", "jti"])
        {
            if (!seen.Contains(required))
            {
                return new TokenRejectedException($"The token lacks the {required} claim");
            }
        }

        if (!hasClientIdentity)
        {
            return new TokenRejectedException("The token names no client (client_id or azp)");
        }

        if (issuedAt > (now + clockSkew).ToUnixTimeSeconds())
        {
            return new TokenRejectedException("The token was issued in the future");
        }

        if (expires - issuedAt > maxLifetime.TotalSeconds || expires < issuedAt)
        {
            return new TokenRejectedException("The token lifetime exceeds the accepted maximum");
        }

        return null;
    }

    private static bool HasRepeatedName(string encoded)
    {
        var bytes = Decode(encoded);
        if (bytes is null)
        {
            return true;
        }

        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!seen.Add(reader.GetString()!))
            {
                return true;
            }

            reader.Read();
            reader.Skip();
        }

        return false;
    }

    private static byte[]? Decode(string encoded)
    {
        try
        {
            return Base64Url.DecodeFromChars(encoded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
