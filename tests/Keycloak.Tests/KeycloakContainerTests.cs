using System.Net.Http.Json;
using System.Text.Json;

namespace Keycloak.Tests;

/// <summary>What the fixture itself promises: the realm is imported and the issuer is pinned.</summary>
public sealed class KeycloakContainerTests(KeycloakFixture keycloak)
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();

    [Fact]
    public async Task Discovery_document_names_the_pinned_issuer_and_its_endpoints()
    {
        using var http = new HttpClient();

        var discovery = await http.GetFromJsonAsync<JsonElement>(
            $"{_keycloak.Issuer}/.well-known/openid-configuration", TestContext.Current.CancellationToken);

        Assert.Equal(_keycloak.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(_keycloak.TokenEndpoint, discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{_keycloak.Issuer}/protocol/openid-connect/certs", discovery.GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public async Task Token_carries_the_pinned_issuer_whatever_host_name_the_caller_used()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _keycloak.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "payments-service",
                ["client_secret"] = _keycloak.SecretOf("payments-service"),
            }),
        };
        // In dev mode without KC_HOSTNAME, Keycloak would echo this host into iss.
        request.Headers.Host = "another-name.invalid";

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        var payload = Jwt.PayloadOf(body.GetProperty("access_token").GetString()!);
        Assert.Equal(_keycloak.Issuer, payload.GetProperty("iss").GetString());
    }
}
