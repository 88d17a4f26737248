using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using EmbeddedIdp.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace TestSupport;

/// <summary>
/// A real EmbeddedIdp on a loopback port, with a temporary data folder and freshly generated client secrets.
/// Share one per test class or collection (<c>IClassFixture&lt;EmbeddedIdpFixture&gt;</c>); dispose your own
/// instance to simulate "IdP down".
/// </summary>
public sealed class EmbeddedIdpFixture : IAsyncLifetime, IIdentityProvider
{
    public static readonly IReadOnlyList<string> ClientIds = ["payments-service", "checkout-service", "billing-api", "payments-api"];

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string> _secrets = ClientIds.ToDictionary(id => id, _ => NewSecret());
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "embedded-idp-tests", Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private IdpFactory? _factory;
    private int _tokenRequests;
    private int _introspectionRequests;

    /// <summary>The realm file served: the repository's, or e.g. a modified copy set before <see cref="InitializeAsync"/>.</summary>
    public string RealmPath { get; init; } = RealmFilePath();

    /// <summary>Extra configuration for the IdP (e.g. <c>EmbeddedIdp:Issuer</c>), set before <see cref="InitializeAsync"/>.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The host environment the IdP runs in; Development unless a test needs the production safeguards.</summary>
    public string Environment { get; init; } = "Development";

    public Uri BaseAddress { get; private set; } = null!;

    public string Issuer => $"{BaseAddress}realms/m2m";

    public string TokenEndpoint => $"{Issuer}/protocol/openid-connect/token";

    public IdpDialect Dialect => IdpDialect.EmbeddedIdp;

    /// <summary>Token-endpoint requests this IdP received since start or the last reset (the warm-up request is not counted).</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequests);

    /// <summary>The server's services, e.g. for a test that needs the data path or the key store.</summary>
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The IdP is not running.");

    public string DataPath => _dataPath;

    public string SecretOf(string clientId) =>
        _secrets.TryGetValue(clientId, out var secret) ? secret : throw new ArgumentException($"No client '{clientId}' in the realm.", nameof(clientId));

    /// <summary>Introspection-endpoint requests this IdP received since start or the last reset.</summary>
    public int IntrospectionRequestCount => Volatile.Read(ref _introspectionRequests);

    public void ResetTokenRequestCount() => Interlocked.Exchange(ref _tokenRequests, 0);

    public void ResetIntrospectionRequestCount() => Interlocked.Exchange(ref _introspectionRequests, 0);

    public ValueTask InitializeAsync() => new(StartAsync(port: 0, rotateSigningKey: false));

    public async Task<string> GetAccessTokenAsync(string clientId, string? scope = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(scope is null
                ? [new("grant_type", "client_credentials")]
                : [new("grant_type", "client_credentials"), new("scope", scope)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(SecretOf(clientId))}")));

        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Token request for {clientId} failed: {(int)response.StatusCode} {body}");
        }

        return System.Text.Json.JsonSerializer.Deserialize<TokenResponse>(body)?.AccessToken
            ?? throw new HttpRequestException("The token response has no access_token.");
    }

    /// <summary>Makes a new signing key active without a restart (the development-only admin API); the previous one keeps verifying.</summary>
    public Task RotateSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SigningKeyAdmin.RotateAsync(_http, BaseAddress, cancellationToken);

    /// <summary>Withdraws a passive signing key without a restart: JWKS drops it, tokens it signed stop verifying.</summary>
    public Task WithdrawSigningKeyAsync(string kid, CancellationToken cancellationToken = default) =>
        SigningKeyAdmin.WithdrawAsync(_http, BaseAddress, kid, cancellationToken);

    /// <summary>Restarts on the same port and data folder with a new active signing key (<c>--rotate-signing-key true</c>).</summary>
    public async Task RotateSigningKeyOnRestartAsync(CancellationToken cancellationToken = default)
    {
        var port = BaseAddress.Port;
        await StopAsync();
        await StartAsync(port, rotateSigningKey: true).WaitAsync(StartupTimeout, cancellationToken);
    }

    /// <summary>Restarts on the same port and data folder, keeping keys and token entries (a process restart).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var port = BaseAddress.Port;
        await StopAsync();
        await StartAsync(port, rotateSigningKey: false).WaitAsync(StartupTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite handle may linger briefly; the temp folder is disposable anyway.
        }
    }

    private async Task StartAsync(int port, bool rotateSigningKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Realm:Path"] = RealmPath,
            ["EmbeddedIdp:DataPath"] = _dataPath,
            ["EmbeddedIdp:RotateSigningKey"] = rotateSigningKey ? "true" : "false",
            ["PAYMENTS_SERVICE_SECRET"] = _secrets["payments-service"],
            ["CHECKOUT_SERVICE_SECRET"] = _secrets["checkout-service"],
            ["BILLING_API_SECRET"] = _secrets["billing-api"],
            ["PAYMENTS_API_SECRET"] = _secrets["payments-api"],
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        var factory = new IdpFactory(settings, Environment, () => Interlocked.Increment(ref _tokenRequests), () => Interlocked.Increment(ref _introspectionRequests));
        factory.UseKestrel(port);
        factory.StartServer();
        _factory = factory;

        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new UriBuilder(address) { Host = "127.0.0.1", Path = "/" }.Uri;

        await factory.Services.GetRequiredService<WarmUp>().Ready.WaitAsync(StartupTimeout);
        ResetTokenRequestCount();
        ResetIntrospectionRequestCount();
    }

    private async Task StopAsync()
    {
        if (_factory is { } factory)
        {
            _factory = null;
            await factory.DisposeAsync();
        }
    }

    private static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The repository's realm file, found by walking up from the test binaries.</summary>
    public static string RealmFilePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "keycloak-realm", "m2m-realm.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("keycloak-realm/m2m-realm.json not found above " + AppContext.BaseDirectory);
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);

    private sealed class IdpFactory(Dictionary<string, string?> settings, string environment, Action onTokenRequest, Action onIntrospectionRequest)
        : WebApplicationFactory<EmbeddedIdp.EntryPoint>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseEnvironment(environment);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new CountTokenRequests(onTokenRequest, onIntrospectionRequest)));
        }
    }

    /// <summary>Test-only middleware: counts token- and introspection-endpoint requests so tests can prove caching.</summary>
    private sealed class CountTokenRequests(Action onTokenRequest, Action onIntrospectionRequest) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Path.Value?.EndsWith("/protocol/openid-connect/token", StringComparison.Ordinal) == true)
                {
                    onTokenRequest();
                }
                else if (context.Request.Path.Value?.EndsWith("/protocol/openid-connect/token/introspect", StringComparison.Ordinal) == true)
                {
                    onIntrospectionRequest();
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
