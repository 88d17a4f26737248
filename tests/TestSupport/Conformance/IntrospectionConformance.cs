using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TestSupport.Conformance;

/// <summary>
/// Introspection (RFC 7662) and revocation (RFC 7009) as a resource server and a client use them, with Keycloak 26's
/// answers (TokenIntrospectionEndpoint, AccessTokenIntrospectionProvider, TokenRevocationEndpoint).
/// </summary>
public abstract class IntrospectionConformance(IIdentityProvider idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    [Fact]
    public async Task Live_token_is_active_for_its_audience()
    {
        var token = await _http.AccessTokenAsync("payments-service", "billing:write");

        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var json = result.Json;
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("payments-service", json.GetProperty("client_id").GetString());
        Assert.Equal(idp.Issuer, json.GetProperty("iss").GetString());
        Assert.Contains("billing:write", json.GetProperty("scope").GetString()!.Split(' '));
        Assert.True(json.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Active_answer_is_the_tokens_claims_plus_client_id_username_and_token_type()
    {
        var token = await _http.AccessTokenAsync("payments-service", "billing:write");
        var claims = new JsonWebToken(token);

        var json = (await _http.IntrospectAsync(token, "billing-api")).Json;

        // AccessTokenIntrospectionProvider: the token as JSON, then client_id = azp, username = preferred_username,
        // token_type = typ, active = true. Nothing else (no token_usage, no nbf).
        string[] expected = [.. claims.Claims.Select(c => c.Type).Distinct(), "active", "client_id", "username", "token_type"];
        Assert.Equal(expected.Distinct().Order(StringComparer.Ordinal), json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(claims.Id, json.GetProperty("jti").GetString());
        Assert.Equal("service-account-payments-service", json.GetProperty("username").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("typ").GetString());
        Assert.Equal("payments-service", json.GetProperty("azp").GetString());
        Assert.Equal(claims.Subject, json.GetProperty("sub").GetString());
        Assert.Equal(claims.GetPayloadValue<long>("iat"), json.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task Inactive_answer_is_only_active_false()
    {
        var json = (await _http.IntrospectAsync("not.a.token", "billing-api")).Json;

        Assert.Equal(["active"], json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Token_is_inactive_for_a_caller_outside_its_audience()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var result = await _http.IntrospectAsync(token, "payments-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Garbage_token_is_inactive()
    {
        var result = await _http.IntrospectAsync("not.a.token", "billing-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_requires_client_authentication()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var anonymous = await _http.IntrospectAsync(token, clientId: null);
        var wrongSecret = await _http.PostAsync("token/introspect", OAuthHttp.Form(("token", token)), "billing-api", ClientAuth.Basic, secret: "wrong");

        // TokenIntrospectionEndpoint.authorizeClient: every client-authentication failure is 401 invalid_request.
        Assert.All([anonymous, wrongSecret], result =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
            Assert.Equal("invalid_request", result.Error);
            Assert.Equal("Authentication failed.", result.ErrorDescription);
            Assert.False(result.Body.Contains("\"active\"", StringComparison.Ordinal), "an unauthenticated caller learned the token state");
        });
    }

    [Fact]
    public async Task Revoked_token_is_inactive()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var revoke = await _http.RevokeAsync(token, "payments-service");
        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.Equal(HttpStatusCode.OK, revoke.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Another_client_cannot_revoke_a_token()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var revoke = await _http.RevokeAsync(token, "checkout-service");
        var result = await _http.IntrospectAsync(token, "billing-api");

        // TokenRevocationEndpoint.checkIssuedFor.
        Assert.Equal(HttpStatusCode.BadRequest, revoke.Status);
        Assert.Equal("invalid_request", revoke.Error);
        Assert.Equal("Unmatching clients", revoke.ErrorDescription);
        Assert.True(result.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoking_an_unknown_token_succeeds_as_RFC_7009_requires()
    {
        var revoke = await _http.RevokeAsync("not-a-token", "payments-service");

        Assert.Equal(HttpStatusCode.OK, revoke.Status);
    }

    [Fact]
    public async Task Revocation_requires_client_authentication()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var revoke = await _http.PostAsync("revoke", OAuthHttp.Form(("token", token)), clientId: null, ClientAuth.Basic);
        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.Equal(HttpStatusCode.Unauthorized, revoke.Status);
        Assert.Equal("invalid_client", revoke.Error);
        Assert.Equal("Invalid client or Invalid client credentials", revoke.ErrorDescription);
        Assert.True(result.Json.GetProperty("active").GetBoolean());
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
