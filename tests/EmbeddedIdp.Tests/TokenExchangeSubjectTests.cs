using System.Net;
using EmbeddedIdp.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>
/// Subject tokens a running Keycloak cannot be made to issue on demand (an expired one, one of its own key but with a
/// changed claim), built here with EmbeddedIdp's signing key so they differ from a good token only in the property under test.
/// </summary>
[Collection(SharedIdp.Name)]
public sealed class TokenExchangeSubjectTests(EmbeddedIdpFixture idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    [Fact]
    public async Task Expired_subject_token_is_an_invalid_token()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");
        var expired = Resign(subject, claims =>
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
            claims["iat"] = past;
            claims["exp"] = past + 300;
        });

        var result = await ExchangeAsync(expired);

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("invalid_request", result.Error);
        Assert.Equal("Invalid token", result.ErrorDescription);
    }

    [Fact]
    public async Task Resigned_subject_token_is_accepted_so_the_expiry_alone_failed_the_other_test()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync(Resign(subject, _ => { }));

        Assert.Equal(HttpStatusCode.OK, result.Status);
    }

    [Fact]
    public async Task Subject_token_issued_to_the_requester_itself_needs_no_audience_of_it()
    {
        // Keycloak's one exception to "requester in aud": a client exchanging its own token (azp == requester).
        var own = await _http.AccessTokenAsync("payments-api", "billing:read");

        var result = await _http.PostAsync(
            "token",
            OAuthHttp.Form(
                ("grant_type", TokenExchangeConformance.GrantType), ("subject_token", own),
                ("subject_token_type", TokenExchangeConformance.AccessTokenType), ("scope", "billing:write")),
            "payments-api",
            ClientAuth.Basic);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("billing:write", new JsonWebToken(result.Json.GetProperty("access_token").GetString()).GetPayloadValue<string>("scope"));
    }

    private Task<OAuthResult> ExchangeAsync(string subject) =>
        _http.PostAsync(
            "token",
            OAuthHttp.Form(
                ("grant_type", TokenExchangeConformance.GrantType), ("subject_token", subject),
                ("subject_token_type", TokenExchangeConformance.AccessTokenType), ("scope", "billing:write")),
            "payments-api",
            ClientAuth.Basic);

    /// <summary>The same token (same jti, so the same token entry) with changed claims, signed again with the IdP's active key.</summary>
    private string Resign(string token, Action<Dictionary<string, object>> change)
    {
        var claims = TestTokens.PayloadOf(token).ToDictionary(c => c.Key, c => (object)c.Value);
        change(claims);
        var key = idp.Services.GetRequiredService<SigningKeyStore>().Active;
        return TestTokens.Sign(TestTokens.Header(kid: key.KeyId), claims, key.Rsa);
    }

    public void Dispose() => _http.Dispose();
}
