using System.Net;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TestSupport.Conformance;

/// <summary>Client-credentials tokens: the header and claims of a Keycloak 26 token, per client and scope combination.</summary>
public abstract class TokenConformance(IIdentityProvider idp) : IDisposable
{
    /// <summary>Exactly the claims of a Keycloak client-credentials token for this realm: anything else is a leak.</summary>
    private static readonly string[] KeycloakClaims =
        ["aud", "azp", "client_id", "exp", "iat", "iss", "jti", "preferred_username", "scope", "sub", "typ"];

    private readonly OAuthHttp _http = new(idp);

    public static TheoryData<string, string?, string, string> Grants => new()
    {
        // client, requested scope, granted scope claim, audience
        { "payments-service", null, "billing:read", "billing-api" },
        { "payments-service", "billing:read", "billing:read", "billing-api" },
        { "payments-service", "billing:write", "billing:read billing:write", "billing-api" },
        { "payments-service", "billing:read billing:write", "billing:read billing:write", "billing-api" },
        { "checkout-service", null, "payments:read", "payments-api" },
        { "checkout-service", "payments:write", "payments:read payments:write", "payments-api" },
    };

    [Theory]
    [MemberData(nameof(Grants))]
    public async Task Token_has_Keycloak_header_and_claims(string clientId, string? scope, string grantedScope, string audience)
    {
        var token = await _http.AccessTokenAsync(clientId, scope);

        var validation = await _http.ValidateAsync(token, audience);
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var jwt = new JsonWebToken(token);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));

        Assert.Equal(KeycloakClaims, jwt.Claims.Select(c => c.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(idp.Issuer, jwt.Issuer);
        Assert.Equal([audience], jwt.Audiences);
        Assert.Equal(clientId, jwt.GetPayloadValue<string>("azp"));
        Assert.Equal(clientId, jwt.GetPayloadValue<string>("client_id"));
        Assert.Equal("Bearer", jwt.GetPayloadValue<string>("typ"));
        Assert.Equal($"service-account-{clientId}", jwt.GetPayloadValue<string>("preferred_username"));
        Assert.True(Guid.TryParse(jwt.Subject, out _), $"sub '{jwt.Subject}' is not the service account's id");
        Assert.Equal(Words(grantedScope), Words(jwt.GetPayloadValue<string>("scope")));
        Assert.Matches(new Regex(IdpDialect.ClientCredentialsJwtIdPattern), jwt.Id);
    }

    [Theory]
    [InlineData(ClientAuth.Basic)]
    [InlineData(ClientAuth.Post)]
    public async Task Token_response_is_Keycloak_shaped_for_both_secret_methods(ClientAuth auth)
    {
        var result = await _http.TokenAsync("payments-service", "billing:write", auth);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var json = result.Json;
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(Words("billing:read billing:write"), Words(json.GetProperty("scope").GetString()));
        Assert.False(json.TryGetProperty("refresh_token", out _), "client credentials must not return a refresh token");
        Assert.False(json.TryGetProperty("id_token", out _));

        var jwt = new JsonWebToken(json.GetProperty("access_token").GetString());
        var iat = jwt.GetPayloadValue<long>("iat");
        var exp = jwt.GetPayloadValue<long>("exp");
        var slack = idp.Dialect.LifetimeClockSlack;
        Assert.InRange(exp - iat, 300, 300 + slack);
        Assert.InRange(json.GetProperty("expires_in").GetInt64(), exp - iat - slack, exp - iat);
    }

    [Fact]
    public async Task Subject_is_the_service_account_and_stable_per_client()
    {
        var first = new JsonWebToken(await _http.AccessTokenAsync("payments-service"));
        var second = new JsonWebToken(await _http.AccessTokenAsync("payments-service", "billing:write"));
        var other = new JsonWebToken(await _http.AccessTokenAsync("checkout-service"));

        Assert.Equal(first.Subject, second.Subject);
        Assert.NotEqual(first.Subject, other.Subject);
        Assert.NotEqual(first.Id, second.Id);
    }

    private static string[] Words(string? value) => [.. (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
