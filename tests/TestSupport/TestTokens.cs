using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace TestSupport;

/// <summary>Hand-built JWTs for cases a real IdP never issues, signed by keys only the test hosts trust.</summary>
/// <remarks>A crafted token then differs from an accepted one in exactly the property under test.</remarks>
public static class TestTokens
{
    public const string TrustedKid = "test-only-trusted-key";
    public static readonly RsaSecurityKey TrustedKey = new(RSA.Create(2048)) { KeyId = TrustedKid };
    public static readonly ECDsaSecurityKey TrustedEcKey = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "test-only-trusted-ec-key" };
    public static readonly RSA UntrustedKey = RSA.Create(2048);

    public static Dictionary<string, object> Header(string alg = "RS256", string typ = "JWT", string kid = TrustedKid) =>
        new() { ["alg"] = alg, ["typ"] = typ, ["kid"] = kid };

    /// <summary>The claims of a Keycloak client-credentials token for payments-service.</summary>
    public static Dictionary<string, object> Claims(string issuer, string scope = "billing:read billing:write", object? audience = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new()
        {
            ["iss"] = issuer,
            ["aud"] = audience ?? "billing-api",
            ["sub"] = "7f1c0a52-1111-4b7a-9a55-3a3c1b0c9e01",
            ["azp"] = "payments-service",
            ["client_id"] = "payments-service",
            ["preferred_username"] = "service-account-payments-service",
            ["typ"] = "Bearer",
            ["scope"] = scope,
            ["jti"] = "onrtcc:" + Guid.NewGuid(),
            ["iat"] = now,
            ["exp"] = now + 300,
        };
    }

    /// <summary>Signs with <paramref name="key"/> (the trusted test key by default), using the header's RS256/RS384/PS256/ES256.</summary>
    public static string Sign(Dictionary<string, object> header, Dictionary<string, object> claims, RSA? key = null)
    {
        key ??= TrustedKey.Rsa;
        var signingInput = Encode(header) + "." + Encode(claims);
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = (string)header["alg"] switch
        {
            "RS256" => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "RS384" => key.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "PS256" => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "ES256" => TrustedEcKey.ECDsa.SignData(data, HashAlgorithmName.SHA256),
            var alg => throw new ArgumentException($"Unsupported test algorithm {alg}"),
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Signs header and payload given as raw JSON (RS256 or PS256), for shapes a dictionary cannot hold (a repeated claim).</summary>
    public static string SignJson(string headerJson, string payloadJson, RSA key, string alg = "RS256")
    {
        var signingInput = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payloadJson));
        var padding = alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return signingInput + "." + Base64UrlEncoder.Encode(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, padding));
    }

    public static string SignHs256(Dictionary<string, object> header, Dictionary<string, object> claims, byte[] secret)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        return signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string Unsigned(Dictionary<string, object> header, Dictionary<string, object> claims) =>
        Encode(header) + "." + Encode(claims) + ".";

    /// <summary>The token with its payload replaced, header and signature kept.</summary>
    public static string WithPayload(string token, Func<Dictionary<string, JsonElement>, Dictionary<string, JsonElement>> change)
    {
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        return parts[0] + "." + Encode(change(claims)) + "." + parts[2];
    }

    public static Dictionary<string, JsonElement> PayloadOf(string token) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(token.Split('.')[1]))!;

    public static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
}
