using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using TestSupport;

namespace Keycloak.Tests;

/// <summary>
/// A real Keycloak in a container with the m2m realm imported from keycloak-realm/, random client secrets, ports mapped
/// by the engine (on loopback for a local engine), and its issuer pinned to the address Testcontainers reports. Without a container engine it starts nothing and reports <see cref="SkipReason"/>.
/// </summary>
public sealed class KeycloakFixture : IIdentityProvider, IAsyncLifetime
{
    /// <summary>The image the AppHost runs in Keycloak mode, pinned in one place.</summary>
    public const string Image = $"{AppHost.KeycloakImage.Repository}:{AppHost.KeycloakImage.Tag}";

    private const ushort HttpPort = 8080;
    private const ushort ManagementPort = 9000;
    private const string ImportDirectory = "/opt/keycloak/data/import/";
    private const string AdminUsername = "admin";
    private const string Realm = "m2m";

    // Bounds the whole start, the first image pull included.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, string> _secrets = EmbeddedIdpFixture.ClientIds.ToDictionary(id => id, _ => NewSecret());
    private readonly string _adminPassword = NewSecret();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private IContainer? _container;
    private Uri? _baseAddress;
    private int _rotations;

    /// <summary>Extra environment for the container, e.g. a realm placeholder such as <c>LIGHTWEIGHT_ACCESS_TOKENS</c>; set before start.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Null when Keycloak runs; otherwise the reason every Keycloak test is skipped.</summary>
    public string? SkipReason { get; private set; }

    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException($"Keycloak is not running: {SkipReason}");

    public string Issuer => new Uri(BaseAddress, $"realms/{Realm}").ToString();

    public string TokenEndpoint => $"{Issuer}/protocol/openid-connect/token";

    public IdpDialect Dialect => IdpDialect.Keycloak;

    public string SecretOf(string clientId) =>
        _secrets.TryGetValue(clientId, out var secret) ? secret : throw new ArgumentException($"No client '{clientId}' in the realm.", nameof(clientId));

    /// <summary>Skips the calling test (from its constructor) when Keycloak cannot run here; returns this fixture otherwise.</summary>
    public KeycloakFixture RunningOrSkip()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        return this;
    }

    public async Task<string> GetAccessTokenAsync(string clientId, string? scope = null, CancellationToken ct = default)
    {
        Dictionary<string, string> form = new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = SecretOf(clientId),
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return await PostForTokenAsync(TokenEndpoint, form, ct);
    }

    /// <summary>
    /// Adds an RSA key provider with a higher priority than any before it (Keycloak's documented rotation): new tokens
    /// are signed with the new key, the previous keys stay in the JWKS and keep verifying.
    /// </summary>
    public async Task RotateSigningKeyAsync(CancellationToken cancellationToken = default)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(BaseAddress, "admin/realms/"), Timeout = _http.Timeout };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(cancellationToken));

        var realm = await admin.GetFromJsonAsync<JsonElement>(Realm, cancellationToken);
        var priority = (1000 + Interlocked.Increment(ref _rotations)).ToString(CultureInfo.InvariantCulture);
        using var response = await admin.PostAsJsonAsync($"{Realm}/components", new
        {
            name = $"rsa-rotated-{priority}",
            providerId = "rsa-generated",
            providerType = "org.keycloak.keys.KeyProvider",
            parentId = realm.GetProperty("id").GetString(),
            config = new Dictionary<string, string[]>
            {
                ["priority"] = [priority],
                ["enabled"] = ["true"],
                ["active"] = ["true"],
                ["algorithm"] = ["RS256"],
                ["keySize"] = ["2048"],
            },
        }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Deletes the key provider that holds <paramref name="kid"/> (Keycloak's way to withdraw a key): JWKS drops it.</summary>
    public async Task WithdrawSigningKeyAsync(string kid, CancellationToken cancellationToken = default)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(BaseAddress, "admin/realms/"), Timeout = _http.Timeout };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(cancellationToken));

        var keys = await admin.GetFromJsonAsync<JsonElement>($"{Realm}/keys", cancellationToken);
        var providerId = keys.GetProperty("keys").EnumerateArray()
            .Single(key => key.GetProperty("kid").GetString() == kid)
            .GetProperty("providerId").GetString();
        using var response = await admin.DeleteAsync($"{Realm}/components/{providerId}", cancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async ValueTask InitializeAsync()
    {
        SkipReason = await ContainerEngine.UnavailableReasonAsync();
        if (SkipReason is not null)
        {
            return;
        }

        var realmFile = Path.Combine(AppContext.BaseDirectory, "keycloak-realm", "m2m-realm.json");
        if (!File.Exists(realmFile))
        {
            throw new FileNotFoundException("The realm export was not copied next to the tests.", realmFile);
        }

        // Both ports are mapped by the engine; the address is read back from Testcontainers once the container runs.
        _container = new ContainerBuilder(Image)
            .WithCommand("start-dev", "--import-realm")
            .WithPortBinding(HttpPort, assignRandomHostPort: true)
            .WithPortBinding(ManagementPort, assignRandomHostPort: true)
            .WithCreateParameterModifier(parameters => PublishOn(parameters, BindAddress(TestcontainersSettings.OS.DockerEndpointAuthConfig?.Endpoint)))
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_USERNAME", AdminUsername)
            .WithEnvironment("KC_BOOTSTRAP_ADMIN_PASSWORD", _adminPassword)
            .WithEnvironment("KC_HEALTH_ENABLED", "true")
            // The realm file's ${PAYMENTS_SERVICE_SECRET}-style placeholders are resolved from these by --import-realm.
            .WithEnvironment(_secrets.ToDictionary(pair => SecretVariableOf(pair.Key), pair => pair.Value))
            .WithEnvironment(Environment.ToDictionary(pair => pair.Key, pair => pair.Value))
            .WithResourceMapping(new FileInfo(realmFile), ImportDirectory)
            .WithWaitStrategy(Wait.ForUnixContainer()
                .UntilHttpRequestIsSucceeded(
                    request => request.ForPort(ManagementPort).ForPath("/health/ready"),
                    wait => wait.WithTimeout(StartupTimeout))
                .UntilHttpRequestIsSucceeded(
                    request => request.ForPort(HttpPort).ForPath($"/realms/{Realm}/.well-known/openid-configuration"),
                    wait => wait.WithTimeout(StartupTimeout)))
            .Build();

        try
        {
            using var timeout = new CancellationTokenSource(StartupTimeout);
            await _container.StartAsync(timeout.Token);

            // The host and port the engine actually published (a remote DOCKER_HOST, a TESTCONTAINERS_HOST_OVERRIDE, a
            // container-in-container run), known only now.
            _baseAddress = BaseAddressOf(_container.Hostname, _container.GetMappedPublicPort(HttpPort));
            await PinIssuerAsync(timeout.Token);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"Keycloak ({Image}) did not become ready. Its log:\n{await LogTailAsync()}", exception);
        }
    }

    /// <summary>http://{host}:{port}/ of the published HTTP port.</summary>
    public static Uri BaseAddressOf(string host, int port) => new UriBuilder(Uri.UriSchemeHttp, host, port).Uri;

    /// <summary>
    /// Where to publish ports: loopback when the engine runs on this machine (a development realm over plain HTTP stays
    /// on it), every interface for a remote engine, whose loopback this machine cannot reach.
    /// </summary>
    public static string BindAddress(Uri? engine) =>
        engine is null || engine.Scheme is "unix" or "npipe" || (engine.IsLoopback && engine.Scheme is "tcp" or "http" or "https") ? "127.0.0.1" : "";

    /// <summary>
    /// The realm's <c>frontendUrl</c> attribute, which Keycloak's hostname provider puts in <c>iss</c> and discovery whatever
    /// Host header a caller sends (HostnameV2Provider.getRealmFrontUriBuilder): the address the tests use.
    /// </summary>
    public static JsonObject WithFrontendUrl(JsonObject realm, Uri baseAddress)
    {
        if (realm["attributes"] is not JsonObject attributes)
        {
            realm["attributes"] = attributes = [];
        }

        attributes["frontendUrl"] = baseAddress.ToString().TrimEnd('/');
        return realm;
    }

    private static void PublishOn(CreateContainerParameters parameters, string address)
    {
        foreach (var binding in parameters.HostConfig?.PortBindings?.Values.SelectMany(bindings => bindings) ?? [])
        {
            binding.HostIP = address;
        }
    }

    /// <summary>The issuer can only be named after start (the port is the engine's choice), so it is set on the realm through the admin API.</summary>
    private async Task PinIssuerAsync(CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(BaseAddress, "admin/realms/"), Timeout = _http.Timeout };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(cancellationToken));

        var realm = await admin.GetFromJsonAsync<JsonObject>(Realm, cancellationToken)
            ?? throw new InvalidOperationException($"Keycloak has no realm '{Realm}'.");
        using var response = await admin.PutAsJsonAsync(Realm, WithFrontendUrl(realm, BaseAddress), cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Setting the realm's frontendUrl failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>payments-service → PAYMENTS_SERVICE_SECRET, the placeholder names the realm file uses.</summary>
    private static string SecretVariableOf(string clientId) => clientId.ToUpperInvariant().Replace('-', '_') + "_SECRET";

    /// <summary>The bootstrap admin's token from the master realm (admin-cli), for the admin REST API.</summary>
    private Task<string> AdminTokenAsync(CancellationToken ct) =>
        PostForTokenAsync(new Uri(BaseAddress, "realms/master/protocol/openid-connect/token").ToString(), new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "admin-cli",
            ["username"] = AdminUsername,
            ["password"] = _adminPassword,
        }, ct);

    private async Task<string> PostForTokenAsync(string tokenEndpoint, Dictionary<string, string> form, CancellationToken ct)
    {
        using var response = await _http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(form), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Token request for {form["client_id"]} failed: {(int)response.StatusCode} {body}");
        }

        return JsonSerializer.Deserialize<TokenResponse>(body)?.AccessToken
            ?? throw new HttpRequestException("The token response has no access_token.");
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    private async Task<string> LogTailAsync()
    {
        try
        {
            var (stdout, stderr) = await _container!.GetLogsAsync(timestampsEnabled: false).WaitAsync(TimeSpan.FromSeconds(10));
            var log = stdout + stderr;
            return log.Length <= 8000 ? log : log[^8000..];
        }
        catch (Exception exception)
        {
            return $"(unavailable: {exception.Message})";
        }
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);
}
