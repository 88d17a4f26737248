using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>
/// The realm switch <c>client.use.lightweight.access.token.enabled</c> (set here through the realm file's
/// <c>${LIGHTWEIGHT_ACCESS_TOKENS:false}</c>): tokens in Keycloak's lightweight shape, complete again only through introspection.
/// </summary>
public sealed class LightweightTokenTests(LightweightTokenTests.LightweightIdp fixture) : IClassFixture<LightweightTokenTests.LightweightIdp>, IDisposable
{
    private readonly OAuthHttp _http = new(fixture.Idp);

    [Fact]
    public async Task Lightweight_token_keeps_only_the_claims_Keycloak_always_writes()
    {
        var token = new JsonWebToken(await _http.AccessTokenAsync("payments-service", "billing:write"));

        Assert.Equal(["azp", "exp", "iat", "iss", "jti", "scope", "typ"], token.Claims.Select(c => c.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("payments-service", token.GetPayloadValue<string>("azp"));
        Assert.Equal("billing:read billing:write", token.GetPayloadValue<string>("scope"));
        Assert.Equal("Bearer", token.GetPayloadValue<string>("typ"));
        Assert.Equal("JWT", token.Typ);
    }

    [Fact]
    public async Task Introspection_gives_the_audience_and_client_the_token_leaves_out()
    {
        var token = await _http.AccessTokenAsync("payments-service", "billing:write");

        var result = await _http.IntrospectAsync(token, "billing-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var json = result.Json;
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Contains("billing-api", Audiences(json));
        Assert.Equal("payments-service", json.GetProperty("client_id").GetString());
        Assert.Equal(fixture.Idp.Issuer, json.GetProperty("iss").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("sub").GetString()));
        Assert.Contains("billing:write", json.GetProperty("scope").GetString()!.Split(' '));
    }

    [Fact]
    public async Task Lightweight_token_is_inactive_for_a_caller_outside_its_scopes_audience()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var result = await _http.IntrospectAsync(token, "payments-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Lightweight_token_fails_local_validation_for_want_of_an_audience()
    {
        var token = await _http.AccessTokenAsync("payments-service");

        var result = await _http.ValidateAsync(token, "billing-api");

        Assert.False(result.IsValid);
    }

    public void Dispose() => _http.Dispose();

    private static IEnumerable<string?> Audiences(JsonElement json) =>
        json.GetProperty("aud") is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(a => a.GetString()) : [json.GetProperty("aud").GetString()];

    public sealed class LightweightIdp : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new() { Settings = new Dictionary<string, string?> { ["LIGHTWEIGHT_ACCESS_TOKENS"] = "true" } };

        public ValueTask InitializeAsync() => Idp.InitializeAsync();

        public ValueTask DisposeAsync() => Idp.DisposeAsync();
    }
}
