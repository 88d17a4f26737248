using System.Text.Json;

namespace TestSupport.Conformance;

/// <summary>Discovery and JWKS: Keycloak's URL layout under the issuer.</summary>
public abstract class DiscoveryConformance(IIdentityProvider idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    [Fact]
    public async Task Discovery_document_lists_Keycloak_endpoints_under_the_issuer()
    {
        var doc = await _http.GetJsonAsync($"{idp.Issuer}/.well-known/openid-configuration");

        Assert.Equal(idp.Issuer, doc.GetProperty("issuer").GetString());
        Assert.Equal($"{idp.Issuer}/protocol/openid-connect/token", doc.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{idp.Issuer}/protocol/openid-connect/certs", doc.GetProperty("jwks_uri").GetString());
        Assert.Equal($"{idp.Issuer}/protocol/openid-connect/token/introspect", doc.GetProperty("introspection_endpoint").GetString());
        Assert.Equal($"{idp.Issuer}/protocol/openid-connect/revoke", doc.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(idp.TokenEndpoint, doc.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Discovery_document_advertises_client_credentials_with_secret_basic_and_post()
    {
        var doc = await _http.GetJsonAsync($"{idp.Issuer}/.well-known/openid-configuration");

        Assert.Contains("client_credentials", Strings(doc, "grant_types_supported"));
        Assert.Contains("client_secret_basic", Strings(doc, "token_endpoint_auth_methods_supported"));
        Assert.Contains("client_secret_post", Strings(doc, "token_endpoint_auth_methods_supported"));
    }

    [Fact]
    public async Task Jwks_publishes_RS256_signing_keys_with_key_ids()
    {
        var jwks = await _http.GetJsonAsync($"{idp.Issuer}/protocol/openid-connect/certs");

        var signing = jwks.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("use").GetString() == "sig").ToList();
        Assert.NotEmpty(signing);
        Assert.All(signing, key =>
        {
            Assert.Equal("RSA", key.GetProperty("kty").GetString());
            Assert.Equal("RS256", key.GetProperty("alg").GetString());
            Assert.False(string.IsNullOrEmpty(key.GetProperty("kid").GetString()));
            Assert.False(key.TryGetProperty("d", out _), "a private key parameter is published");
        });
    }

    private static List<string?> Strings(JsonElement doc, string name) => [.. doc.GetProperty(name).EnumerateArray().Select(e => e.GetString())];

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
