using System.Text.Json.Nodes;
using EmbeddedIdp.Realm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;

namespace EmbeddedIdp.Tests;

/// <summary>Reading the realm: placeholders resolve from configuration, gaps stop startup, unsupported features are logged.</summary>
public sealed class RealmLoaderTests : IDisposable
{
    private static readonly Dictionary<string, string?> AllSecrets = new()
    {
        ["PAYMENTS_SERVICE_SECRET"] = "s1-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ["CHECKOUT_SERVICE_SECRET"] = "s2-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ["BILLING_API_SECRET"] = "s3-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ["PAYMENTS_API_SECRET"] = "s4-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("realm-loader-").FullName;
    private readonly FakeLogger _logger = new();

    [Fact]
    public void Realm_file_loads_into_the_in_memory_view()
    {
        var realm = RealmLoader.Load(EmbeddedIdpFixture.RealmFilePath(), Config(AllSecrets), _logger);

        Assert.Equal("m2m", realm.Name);
        Assert.Equal(TimeSpan.FromSeconds(300), realm.AccessTokenLifespan);
        Assert.Equal(AllSecrets["PAYMENTS_SERVICE_SECRET"], realm.Clients["payments-service"].Secret);
        Assert.Equal(["billing-api"], realm.Scopes["billing:write"].Audiences);
        Assert.False(realm.Clients["billing-api"].ServiceAccountsEnabled);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Missing_secret_variable_stops_startup_naming_it()
    {
        var secrets = new Dictionary<string, string?>(AllSecrets) { ["BILLING_API_SECRET"] = null };

        var error = Assert.Throws<InvalidOperationException>(() => RealmLoader.Load(EmbeddedIdpFixture.RealmFilePath(), Config(secrets), _logger));

        Assert.Contains("BILLING_API_SECRET", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PAYMENTS_SERVICE_SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_realm_feature_is_logged_not_silently_served()
    {
        var path = ModifiedRealm(realm =>
        {
            var client = Client(realm, "payments-service");
            client["attributes"]!["dpop.bound.access.tokens"] = "true";
            client["directAccessGrantsEnabled"] = true;
        });

        RealmLoader.Load(path, Config(AllSecrets), _logger);

        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Contains(warnings, m => m.Contains("dpop.bound.access.tokens", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("directAccessGrantsEnabled", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_without_explicit_publicClient_is_not_served_as_confidential()
    {
        var path = ModifiedRealm(realm => Client(realm, "checkout-service").Remove("publicClient"));

        var realm = RealmLoader.Load(path, Config(AllSecrets), _logger);

        Assert.False(realm.Clients.ContainsKey("checkout-service"));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("checkout-service", StringComparison.Ordinal));
    }

    [Fact]
    public void Undefined_scope_on_a_client_is_a_warning_and_dropped_as_Keycloaks_import_does()
    {
        var path = ModifiedRealm(realm => Client(realm, "payments-service")["optionalClientScopes"]!.AsArray().Add((JsonNode)"no-such-scope"));

        var realm = RealmLoader.Load(path, Config(AllSecrets), _logger);

        Assert.Equal(["billing:write"], realm.Clients["payments-service"].OptionalScopes);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.Contains("Referenced client scope 'no-such-scope' doesn't exist. Ignoring", StringComparison.Ordinal));
    }

    [Fact]
    public void Service_account_user_enabled_flag_is_read_from_the_users_list()
    {
        var path = ModifiedRealm(realm => realm["users"]!.AsArray().Single(u => (string?)u!["serviceAccountClientId"] == "checkout-service")!["enabled"] = false);

        var realm = RealmLoader.Load(path, Config(AllSecrets), _logger);

        Assert.False(realm.Clients["checkout-service"].ServiceAccountUserEnabled);
        Assert.True(realm.Clients["payments-service"].ServiceAccountUserEnabled);
    }

    [Fact]
    public void Client_attribute_sets_the_access_token_lifespan()
    {
        var path = ModifiedRealm(realm => Client(realm, "payments-service")["attributes"]!["access.token.lifespan"] = "60");

        var realm = RealmLoader.Load(path, Config(AllSecrets), _logger);

        Assert.Equal(TimeSpan.FromSeconds(60), realm.Clients["payments-service"].AccessTokenLifespan);
        Assert.Null(realm.Clients["checkout-service"].AccessTokenLifespan);
    }

    [Theory]
    [InlineData("${SET}", "value")]
    [InlineData("a-${SET}-b", "a-value-b")]
    [InlineData("${UNSET:fallback}", "fallback")]
    [InlineData("${SET:fallback}", "value")]
    [InlineData("no placeholder", "no placeholder")]
    public void Placeholder_resolves_like_Keycloaks_import(string text, string expected)
    {
        var missing = new HashSet<string>();

        var resolved = RealmLoader.Resolve(text, Config(new() { ["SET"] = "value" }), missing);

        Assert.Equal(expected, resolved);
        Assert.Empty(missing);
    }

    /// <summary>Writes a modified copy of the repository's realm file and returns its path.</summary>
    internal static string ModifiedRealm(string folder, Action<JsonNode> change)
    {
        var realm = JsonNode.Parse(File.ReadAllText(EmbeddedIdpFixture.RealmFilePath()))!;
        change(realm);
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, realm.ToJsonString());
        return path;
    }

    internal static JsonObject Client(JsonNode realm, string clientId) =>
        realm["clients"]!.AsArray().Single(c => (string?)c!["clientId"] == clientId)!.AsObject();

    private string ModifiedRealm(Action<JsonNode> change) => ModifiedRealm(_folder, change);

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Secret_shorter_than_32_characters_stops_startup_naming_the_client()
    {
        var secrets = new Dictionary<string, string?>(AllSecrets) { ["BILLING_API_SECRET"] = "short-secret" };

        var error = Assert.Throws<InvalidOperationException>(() => RealmLoader.Load(EmbeddedIdpFixture.RealmFilePath(), Config(secrets), _logger));

        Assert.Contains("the secret of client 'billing-api' is shorter than 32 characters.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_that_falls_back_to_its_placeholder_default_stops_startup()
    {
        var path = Path.Combine(_folder, "realm.json");
        File.WriteAllText(path, File.ReadAllText(EmbeddedIdpFixture.RealmFilePath())
            .Replace("${BILLING_API_SECRET}", "${BILLING_API_SECRET_UNSET:a-default-anyone-can-read-in-the-file-0123456789}", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidOperationException>(() => RealmLoader.Load(path, Config(AllSecrets), _logger));

        Assert.Contains("the secret of client 'billing-api' would fall back to the default written in the file: set BILLING_API_SECRET_UNSET.",
            error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
