using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace EmbeddedIdp.Tests;

/// <summary>The realm file itself: it must import unchanged into Keycloak 26 and hold no secret.</summary>
public sealed partial class RealmFileTests
{
    private static readonly JsonElement Realm = JsonDocument.Parse(File.ReadAllText(EmbeddedIdpFixture.RealmFilePath())).RootElement;

    // Keycloak gives a missing flag an unsafe default (public client, browser and password flows on).
    private static readonly string[] ExplicitClientFlags =
    [
        "enabled", "publicClient", "bearerOnly", "consentRequired", "standardFlowEnabled", "implicitFlowEnabled",
        "directAccessGrantsEnabled", "serviceAccountsEnabled", "authorizationServicesEnabled", "frontchannelLogout", "fullScopeAllowed",
    ];

    public static TheoryData<string, string, string[], string[], bool> Clients => new()
    {
        { "payments-service", "PAYMENTS_SERVICE_SECRET", ["basic", "service_account", "billing:read"], ["billing:write"], true },
        { "checkout-service", "CHECKOUT_SERVICE_SECRET", ["basic", "service_account", "payments:read"], ["payments:write"], true },
        { "billing-api", "BILLING_API_SECRET", [], [], false },
        // Payments' identity in token-exchange mode: the exchange requester, with client credentials for retries no caller backs.
        { "payments-api", "PAYMENTS_API_SECRET", ["basic", "service_account"], ["billing:read", "billing:write"], true },
    };

    [Theory]
    [InlineData("payments-api", "true")]
    [InlineData("payments-service", "false")]
    [InlineData("checkout-service", "false")]
    [InlineData("billing-api", "false")]
    public void Only_payments_api_may_send_standard_token_exchanges(string clientId, string enabled) =>
        Assert.Equal(enabled, Client(clientId).GetProperty("attributes").GetProperty("standard.token.exchange.enabled").GetString());

    [Fact]
    public void Realm_is_m2m_with_a_300_second_access_token_lifespan()
    {
        Assert.Equal("m2m", Realm.GetProperty("realm").GetString());
        Assert.True(Realm.GetProperty("enabled").GetBoolean());
        Assert.Equal(300, Realm.GetProperty("accessTokenLifespan").GetInt32());
        Assert.Equal(4, Realm.GetProperty("clients").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public void Client_is_confidential_with_every_flag_explicit(string clientId, string secretVariable, string[] defaults, string[] optionals, bool serviceAccount)
    {
        var client = Client(clientId);

        Assert.All(ExplicitClientFlags, flag => Assert.True(client.TryGetProperty(flag, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{clientId}.{flag} is not set explicitly"));
        Assert.False(client.GetProperty("publicClient").GetBoolean());
        Assert.False(client.GetProperty("bearerOnly").GetBoolean());
        Assert.False(client.GetProperty("standardFlowEnabled").GetBoolean());
        Assert.False(client.GetProperty("implicitFlowEnabled").GetBoolean());
        Assert.False(client.GetProperty("directAccessGrantsEnabled").GetBoolean());
        Assert.Equal(serviceAccount, client.GetProperty("serviceAccountsEnabled").GetBoolean());
        Assert.Equal("client-secret", client.GetProperty("clientAuthenticatorType").GetString());
        Assert.Equal("${" + secretVariable + "}", client.GetProperty("secret").GetString());
        Assert.Equal(defaults, Strings(client, "defaultClientScopes"));
        Assert.Equal(optionals, Strings(client, "optionalClientScopes"));
    }

    [Theory]
    [InlineData("basic", "oidc-sub-mapper")]
    [InlineData("service_account", "oidc-usersessionmodel-note-mapper")]
    [InlineData("roles", "oidc-usermodel-realm-role-mapper")]
    public void Built_in_scope_is_defined_because_a_clientScopes_array_replaces_Keycloaks(string name, string mapper)
    {
        var scope = Scope(name);

        Assert.Equal("openid-connect", scope.GetProperty("protocol").GetString());
        Assert.Equal("false", scope.GetProperty("attributes").GetProperty("include.in.token.scope").GetString());
        Assert.Contains(mapper, scope.GetProperty("protocolMappers").EnumerateArray().Select(m => m.GetProperty("protocolMapper").GetString()));
    }

    [Theory]
    [InlineData("billing:read", "billing-api")]
    [InlineData("billing:write", "billing-api")]
    [InlineData("payments:read", "payments-api")]
    [InlineData("payments:write", "payments-api")]
    public void Api_scope_is_in_the_token_scope_and_adds_its_audience(string name, string audience)
    {
        var scope = Scope(name);

        Assert.Equal("true", scope.GetProperty("attributes").GetProperty("include.in.token.scope").GetString());
        var mapper = Assert.Single(scope.GetProperty("protocolMappers").EnumerateArray());
        Assert.Equal("oidc-audience-mapper", mapper.GetProperty("protocolMapper").GetString());
        Assert.Equal(audience, mapper.GetProperty("config").GetProperty("included.client.audience").GetString());
        Assert.Equal("true", mapper.GetProperty("config").GetProperty("access.token.claim").GetString());
    }

    [Fact]
    public void Realm_requires_no_tls_because_it_is_a_loopback_development_realm()
    {
        // "external" answers "HTTPS required" to forwarded container traffic from a non-private address (keycloak/keycloak#39144);
        // the ports are published on 127.0.0.1 only, and keycloak-realm/README.md says why.
        Assert.Equal("none", Realm.GetProperty("sslRequired").GetString());
    }

    [Fact]
    public void File_holds_no_literal_secret()
    {
        var secrets = Realm.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("secret").GetString()).ToList();

        Assert.All(secrets, secret => Assert.Matches(Placeholder(), secret));
        Assert.DoesNotContain("password", File.ReadAllText(EmbeddedIdpFixture.RealmFilePath()), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Service_account_users_are_listed_for_stable_subjects()
    {
        var users = Realm.GetProperty("users").EnumerateArray().ToDictionary(u => u.GetProperty("serviceAccountClientId").GetString()!);

        Assert.Equal("service-account-payments-service", users["payments-service"].GetProperty("username").GetString());
        Assert.Equal("service-account-checkout-service", users["checkout-service"].GetProperty("username").GetString());
        Assert.All(users.Values, u => Assert.True(Guid.TryParse(u.GetProperty("id").GetString(), out _)));
    }

    private static JsonElement Client(string clientId) =>
        Realm.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == clientId);

    private static JsonElement Scope(string name) =>
        Realm.GetProperty("clientScopes").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static string[] Strings(JsonElement element, string name) => [.. element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*\}$")]
    private static partial Regex Placeholder();
}
