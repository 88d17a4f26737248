using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary><c>EmbeddedIdp:Issuer</c> pins the issuer whatever host the caller used (Keycloak's KC_HOSTNAME).</summary>
public sealed class FixedIssuerTests(FixedIssuerTests.FixedIssuerIdp fixture) : IClassFixture<FixedIssuerTests.FixedIssuerIdp>
{
    private const string PinnedIssuer = "http://idp.example:8080/realms/m2m";

    [Fact]
    public async Task Tokens_discovery_and_introspection_use_the_configured_issuer()
    {
        var idp = fixture.Idp;
        using var http = new HttpClient { BaseAddress = idp.BaseAddress };
        var ct = TestContext.Current.CancellationToken;

        var token = await idp.GetAccessTokenAsync("payments-service", ct: ct);
        var discovery = await http.GetFromJsonAsync<JsonElement>("realms/m2m/.well-known/openid-configuration", ct);
        using var introspection = new HttpRequestMessage(HttpMethod.Post, "realms/m2m/protocol/openid-connect/token/introspect")
        {
            Content = new FormUrlEncodedContent(OAuthHttp.Form(("token", token))),
        };
        introspection.Headers.Authorization = OAuthHttp.Basic("billing-api", idp.SecretOf("billing-api"));
        using var response = await http.SendAsync(introspection, ct);
        var active = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(PinnedIssuer, new JsonWebToken(token).Issuer);
        Assert.Equal(PinnedIssuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal(PinnedIssuer, active.GetProperty("iss").GetString());
    }

    public sealed class FixedIssuerIdp : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new() { Settings = new Dictionary<string, string?> { ["EmbeddedIdp:Issuer"] = PinnedIssuer } };

        public ValueTask InitializeAsync() => Idp.InitializeAsync();

        public ValueTask DisposeAsync() => Idp.DisposeAsync();
    }
}
