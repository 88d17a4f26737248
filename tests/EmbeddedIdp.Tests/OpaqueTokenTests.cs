using System.Net;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary><c>EmbeddedIdp:OpaqueAccessTokens</c>: access tokens are random references; introspection and revocation still know them.</summary>
public sealed class OpaqueTokenTests(OpaqueTokenTests.OpaqueIdp fixture) : IClassFixture<OpaqueTokenTests.OpaqueIdp>, IDisposable
{
    private readonly OAuthHttp _http = new(fixture.Idp);

    [Fact]
    public async Task Access_token_is_an_opaque_256_bit_reference()
    {
        var result = await _http.TokenAsync("payments-service", "billing:write");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", result.Json.GetProperty("access_token").GetString());
        Assert.Equal("billing:read billing:write", result.Json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Introspection_tells_what_the_opaque_token_stands_for()
    {
        var token = await _http.AccessTokenAsync("payments-service", "billing:write");

        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.True(result.Json.GetProperty("active").GetBoolean());
        Assert.Equal("payments-service", result.Json.GetProperty("client_id").GetString());
        Assert.Equal(fixture.Idp.Issuer, result.Json.GetProperty("iss").GetString());
        Assert.Contains("billing:write", result.Json.GetProperty("scope").GetString()!.Split(' '));
    }

    [Fact]
    public async Task Revoked_opaque_token_is_inactive()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var revoke = await _http.RevokeAsync(token, "payments-service");
        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.Equal(HttpStatusCode.OK, revoke.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    public void Dispose() => _http.Dispose();

    public sealed class OpaqueIdp : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new() { Settings = new Dictionary<string, string?> { ["EmbeddedIdp:OpaqueAccessTokens"] = "true" } };

        public ValueTask InitializeAsync() => Idp.InitializeAsync();

        public ValueTask DisposeAsync() => Idp.DisposeAsync();
    }
}
