using System.Net;

namespace TestSupport.Conformance;

/// <summary>Introspection (RFC 7662) and revocation (RFC 7009) as a resource server and a client use them.</summary>
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

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("invalid_client", anonymous.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.False(wrongSecret.Body.Contains("\"active\"", StringComparison.Ordinal), "an unauthenticated caller learned the token state");
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

        Assert.Equal((HttpStatusCode)idp.Dialect.ForeignRevocationStatus, revoke.Status);
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
        Assert.True(result.Json.GetProperty("active").GetBoolean());
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
