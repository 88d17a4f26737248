using System.Net;
using System.Text.Json.Nodes;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>
/// Realm-file cases Keycloak 26 accepts on import and then treats in its own way, served the same way over HTTP:
/// a disabled service-account user (ClientCredentialsGrantType: 401 invalid_request) and a client listing a scope the
/// realm does not define (RepresentationToModel.addClientScopeToClient: a warning, the scope ignored).
/// </summary>
public sealed class KeycloakImportRulesTests(KeycloakImportRulesTests.EdgeCaseRealmIdp fixture) : IClassFixture<KeycloakImportRulesTests.EdgeCaseRealmIdp>, IDisposable
{
    private readonly OAuthHttp _http = new(fixture.Idp);

    [Fact]
    public async Task Disabled_service_account_user_gets_401_invalid_request_naming_the_user()
    {
        var result = await _http.TokenAsync("payments-service");

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("invalid_request", result.Error);
        Assert.Equal("User 'service-account-payments-service' disabled", result.ErrorDescription);
    }

    [Fact]
    public async Task Undefined_scope_on_a_client_is_ignored_and_the_idp_still_serves_it()
    {
        var result = await _http.TokenAsync("checkout-service");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("payments:read", result.Json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Requesting_the_undefined_scope_is_invalid_scope()
    {
        var result = await _http.TokenAsync("checkout-service", "no-such-scope");

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("invalid_scope", result.Error);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The repository's realm with payments-service's user disabled and an undefined scope on checkout-service.</summary>
    public sealed class EdgeCaseRealmIdp : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("embedded-idp-import-rules-").FullName;

        public EmbeddedIdpFixture Idp { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var realm = RealmLoaderTests.ModifiedRealm(_folder, r =>
            {
                r["users"]!.AsArray().Single(u => (string?)u!["serviceAccountClientId"] == "payments-service")!["enabled"] = false;
                RealmLoaderTests.Client(r, "checkout-service")["defaultClientScopes"]!.AsArray().Add((JsonNode)"no-such-scope");
            });
            Idp = new EmbeddedIdpFixture { RealmPath = realm };
            await Idp.InitializeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Idp.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
