using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddedIdp.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>Rule 5: EmbeddedIdp takes no URL from the caller, throttles secret guessing, and keeps keys, secrets and disk safe.</summary>
public sealed class SecurityTests
{
    private const string PinnedIssuer = "http://idp.example:8080/realms/m2m";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovery_URLs_come_from_the_pinned_issuer_whatever_Host_header_is_sent()
    {
        await using var idp = await StartAsync(new() { Settings = new Dictionary<string, string?> { ["EmbeddedIdp:Issuer"] = PinnedIssuer } });
        using var http = new HttpClient { BaseAddress = idp.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "realms/m2m/.well-known/openid-configuration");
        request.Headers.Host = "evil.example";

        using var response = await http.SendAsync(request, Ct);
        var discovery = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(PinnedIssuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal($"{PinnedIssuer}/protocol/openid-connect/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{PinnedIssuer}/protocol/openid-connect/certs", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal($"{PinnedIssuer}/protocol/openid-connect/token/introspect", discovery.GetProperty("introspection_endpoint").GetString());
        Assert.Equal($"{PinnedIssuer}/protocol/openid-connect/revoke", discovery.GetProperty("revocation_endpoint").GetString());
        Assert.DoesNotContain("evil.example", discovery.GetRawText());
    }

    [Fact]
    public async Task Outside_Development_only_the_issuer_host_and_loopback_are_served()
    {
        await using var idp = await StartAsync(new()
        {
            Environment = "Production",
            Settings = new Dictionary<string, string?> { ["EmbeddedIdp:Issuer"] = PinnedIssuer },
        });
        using var http = new HttpClient { BaseAddress = idp.BaseAddress };

        Assert.Equal(HttpStatusCode.BadRequest, await StatusWithHost(http, "evil.example"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithHost(http, "idp.example:8080"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithHost(http, null));
    }

    [Fact]
    public void Outside_Development_an_unpinned_issuer_stops_startup_naming_the_setting()
    {
        var production = new EmbeddedIdpOptionsValidator(new Environment("Production"));
        var development = new EmbeddedIdpOptionsValidator(new Environment("Development"));

        var failure = production.Validate(null, new EmbeddedIdpOptions());

        Assert.Contains("EmbeddedIdp:Issuer is required outside Development", Assert.Single(failure.Failures!));
        Assert.True(development.Validate(null, new EmbeddedIdpOptions()).Succeeded);
        Assert.True(production.Validate(null, new EmbeddedIdpOptions { Issuer = PinnedIssuer }).Succeeded);
    }

    [Fact]
    public async Task Repeated_wrong_secrets_are_throttled_per_client_and_source_with_429_Retry_After_and_Keycloaks_body()
    {
        await using var idp = await StartAsync(new());
        using var http = new HttpClient { BaseAddress = idp.BaseAddress };

        for (var i = 0; i < ClientAuthenticationThrottle.FailuresPerClient; i++)
        {
            using var wrong = await TokenRequest(http, "payments-service", "not-the-secret");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await TokenRequest(http, "payments-service", "not-the-secret");
        using var evenTheRightSecret = await TokenRequest(http, "payments-service", idp.SecretOf("payments-service"));
        using var otherClient = await TokenRequest(http, "checkout-service", idp.SecretOf("checkout-service"));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(1), throttled.Headers.RetryAfter?.Delta);
        var body = await throttled.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
        Assert.Equal("Invalid client or Invalid client credentials", body.GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, evenTheRightSecret.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Signing_keys_are_owner_only_files_in_an_owner_only_folder()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
        await using var idp = await StartAsync(new());
        var folder = Path.Combine(idp.DataPath, "keys");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.All(Directory.GetFiles(folder), key => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key)));
    }

    [Fact]
    public async Task Token_store_keeps_at_most_the_newest_entries_beyond_the_cap()
    {
        await using var idp = await StartAsync(new());
        for (var i = 0; i < 5; i++)
        {
            await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        }

        await TokenPruning.PruneAsync(idp.Services.GetRequiredService<IServiceScopeFactory>(), maxStored: 3, Ct);

        await using var scope = idp.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>();
        Assert.Equal(3, await tokens.CountAsync(Ct));
    }

    private static async Task<DisposableIdp> StartAsync(EmbeddedIdpFixture idp)
    {
        await idp.InitializeAsync();
        return new DisposableIdp(idp);
    }

    private static async Task<HttpStatusCode> StatusWithHost(HttpClient http, string? host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "realms/m2m/protocol/openid-connect/certs");
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> TokenRequest(HttpClient http, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "realms/m2m/protocol/openid-connect/token")
        {
            Content = new FormUrlEncodedContent(OAuthHttp.Form(("grant_type", "client_credentials"))),
        };
        request.Headers.Authorization = OAuthHttp.Basic(clientId, secret);
        return http.SendAsync(request, Ct);
    }

    private sealed class DisposableIdp(EmbeddedIdpFixture idp) : IAsyncDisposable
    {
        public Uri BaseAddress => idp.BaseAddress;
        public string DataPath => idp.DataPath;
        public IServiceProvider Services => idp.Services;

        public string SecretOf(string clientId) => idp.SecretOf(clientId);

        public Task<string> GetAccessTokenAsync(string clientId, CancellationToken ct) => idp.GetAccessTokenAsync(clientId, ct: ct);

        public ValueTask DisposeAsync() => idp.DisposeAsync();
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "EmbeddedIdp";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
