using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using TestSupport;

namespace Billing.Api.Tests.TokenValidation;

/// <summary>The tokens the issue lists, each wrong in one way, with the error description it must earn.</summary>
public enum BadToken
{
    PaymentsApiAudience,
    Expired,
    TamperedPayload,
    AlgNone,
    Hs256SignedWithIdpPublicKey,
    UnknownKid,
    WrongIssuer,
    Oversized,
    Malformed,
}

public static class BadTokens
{
    public static string ExpectedDescription(BadToken badToken) => badToken switch
    {
        BadToken.PaymentsApiAudience => "The audience is invalid",
        BadToken.Expired => "The token is expired",
        BadToken.TamperedPayload => "The signature is invalid",
        BadToken.AlgNone => "The signature is invalid",
        BadToken.Hs256SignedWithIdpPublicKey => "The signature is invalid",
        BadToken.UnknownKid => "The signing key is unknown",
        BadToken.WrongIssuer => "The issuer is invalid",
        BadToken.Oversized => "The token is larger than 8192 characters",
        _ => "The token is malformed",
    };

    public static async Task<string> MakeAsync(BadToken badToken, EmbeddedIdpFixtureAccess idp)
    {
        var claims = TestTokens.Claims(idp.Issuer);
        switch (badToken)
        {
            case BadToken.PaymentsApiAudience:
                return await idp.Fixture.GetAccessTokenAsync("checkout-service", "payments:read payments:write");
            case BadToken.Expired:
                claims["iat"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
                claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();
                return TestTokens.Sign(TestTokens.Header(), claims);
            case BadToken.TamperedPayload:
                var real = await idp.Fixture.GetAccessTokenAsync("payments-service");
                return TestTokens.WithPayload(real, payload =>
                {
                    payload["scope"] = JsonSerializer.SerializeToElement("billing:read billing:write");
                    return payload;
                });
            case BadToken.AlgNone:
                return TestTokens.Unsigned(new() { ["alg"] = "none", ["typ"] = "JWT" }, claims);
            case BadToken.Hs256SignedWithIdpPublicKey:
                var (kid, publicKeyPem) = await idp.FirstSigningKeyAsync();
                return TestTokens.SignHs256(TestTokens.Header("HS256", kid: kid), claims, Encoding.ASCII.GetBytes(publicKeyPem));
            case BadToken.UnknownKid:
                return TestTokens.Sign(TestTokens.Header(kid: "unknown-kid"), claims, TestTokens.UntrustedKey);
            case BadToken.WrongIssuer:
                claims["iss"] = "http://evil.example/realms/m2m";
                return TestTokens.Sign(TestTokens.Header(), claims);
            case BadToken.Oversized:
                claims["padding"] = new string('x', 10_000);
                return TestTokens.Sign(TestTokens.Header(), claims);
            default:
                return "not-a-jwt";
        }
    }
}

/// <summary>The IdP as the token factory needs it: its issuer, its tokens and its published key.</summary>
public sealed class EmbeddedIdpFixtureAccess(BillingApiFixture fixture)
{
    public EmbeddedIdpFixture Fixture => fixture.Idp;
    public string Issuer => fixture.Idp.Issuer;

    public async Task<(string Kid, string PublicKeyPem)> FirstSigningKeyAsync()
    {
        using var http = new HttpClient();
        var jwks = await http.GetFromJsonAsync<JsonElement>($"{Issuer}/protocol/openid-connect/certs");
        var key = jwks.GetProperty("keys").EnumerateArray().First(k => k.GetProperty("kty").GetString() == "RSA");
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(key.GetProperty("n").GetString()),
            Exponent = Base64UrlEncoder.DecodeBytes(key.GetProperty("e").GetString()),
        });
        return (key.GetProperty("kid").GetString()!, rsa.ExportSubjectPublicKeyInfoPem());
    }
}
