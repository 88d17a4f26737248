using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>One AppHost for every end-to-end test class: starting it is the expensive part.</summary>
[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}

/// <summary>The AppHost with <c>BillingAuthorization=TokenExchange</c>: Payments exchanges its caller's token for Billing's.</summary>
[CollectionDefinition(Name)]
public sealed class TokenExchangeAppHostCollection : ICollectionFixture<TokenExchangeAppHostFixture>
{
    public const string Name = "AppHost (token exchange)";
}

public sealed class TokenExchangeAppHostFixture : AppHostFixture
{
    protected override IEnumerable<string> Settings => ["BillingAuthorization=TokenExchange"];
}

/// <summary>
/// The whole AppHost in Embedded mode, started once for the test run: real EmbeddedIdp, Billing.Api and Payments.Api
/// processes on loopback ports, with secrets generated here and every service exporting its traces to <see cref="Traces"/>.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["idp", "billing-api", "payments-api"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, string> _secrets = new[] { "payments-service", "checkout-service", "billing-api", "payments-api" }
        .ToDictionary(client => client, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    // Databases and keys of this run only, so earlier runs and a running demo cannot interfere.
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("m2mdemo-e2e-");

    // The W3C span id the test sent as the caller of each trace it started.
    private readonly ConcurrentDictionary<string, string> _callerSpans = new();

    private DistributedApplication? _app;

    public OtlpTraceReceiver Traces { get; } = new();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost is not started.");

    public string SecretOf(string clientId) => _secrets[clientId];

    /// <summary>AppHost settings beyond the defaults (Payments with client credentials, JWT validation).</summary>
    protected virtual IEnumerable<string> Settings => [];

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // a half-started AppHost must not outlive the test run either
            throw;
        }
    }

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await Traces.StartAsync();

        string[] args =
        [
            "IdentityProvider=Embedded",
            .. Settings,
            .. _secrets.Select(secret => $"Parameters:{secret.Key}-secret={secret.Value}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, timeout.Token);
        // The services' console output is forwarded as logs; warnings and errors are enough in a test run.
        builder.Services.AddLogging(logging => logging
            .AddFilter($"{builder.Environment.ApplicationName}.Resources", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        IResourceBuilder<ProjectResource> Project(string name) =>
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == name));

        foreach (var name in Resources)
        {
            // Spans go to this test's receiver instead of the (absent) dashboard, exported every 100 ms.
            Project(name)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Traces.Endpoint.ToString())
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "100");
        }

        Project("idp").WithEnvironment("EmbeddedIdp__DataPath", Path.Combine(_data.FullName, "idp"));
        Project("billing-api").WithEnvironment("ConnectionStrings__billing-db", $"Data Source={Path.Combine(_data.FullName, "billing.db")}");
        Project("payments-api").WithEnvironment("ConnectionStrings__payments-db", $"Data Source={Path.Combine(_data.FullName, "payments.db")}");

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        try
        {
            await Task.WhenAll(Resources.Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every resource of {string.Join(", ", Resources)} was healthy within {StartTimeout}.");
        }
    }

    /// <summary>
    /// A client that sends requests exactly as built: no DiagnosticsHandler, so no OpenTelemetry HttpClient instrumentation
    /// alive in this process (the in-process EmbeddedIdp of <see cref="PaymentLoopTests"/> runs ServiceDefaults, which
    /// instruments every HttpClient of the process and replaces a request's traceparent with a span of its own) can
    /// turn the test's caller span into an unknown one.
    /// </summary>
    public HttpClient CreateClient(string resource) =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = App.GetEndpoint(resource, "http") };

    /// <summary>The resource's http URL without a trailing slash, as a person would type it.</summary>
    public string UrlOf(string resource) => App.GetEndpoint(resource, "http").ToString().TrimEnd('/');

    public string Issuer => $"{UrlOf("idp")}/realms/m2m";

    /// <summary>Asks the IdP for a client-credentials token; returns the raw response.</summary>
    public async Task<HttpResponseMessage> RequestTokenAsync(
        string clientId, string? scope, CancellationToken cancellationToken, string? secret = null)
    {
        using var idp = CreateClient("idp");
        using var request = new HttpRequestMessage(HttpMethod.Post, "realms/m2m/protocol/openid-connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret ?? SecretOf(clientId),
                ["scope"] = scope ?? "",
            }),
        };
        return await idp.SendAsync(request, cancellationToken);
    }

    public async Task<string> GetAccessTokenAsync(string clientId, string scope, CancellationToken cancellationToken)
    {
        using var response = await RequestTokenAsync(clientId, scope, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
        return token?.AccessToken ?? throw new InvalidOperationException("The token response has no access_token.");
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary><c>POST /payments</c> with a fresh <c>Idempotency-Key</c>, sent as the root of a new trace (the test is the caller).</summary>
    public HttpRequestMessage NewPayment(decimal amount, string description = "end-to-end test")
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _callerSpans[traceId] = callerSpanId;
        return new HttpRequestMessage(HttpMethod.Post, "payments")
        {
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() }, { "traceparent", $"00-{traceId}-{callerSpanId}-01" } },
            Content = JsonContent.Create(new { amount, currency = "EUR", description }),
        };
    }

    /// <summary>The span id the test sent as the caller of <paramref name="traceId"/>, if the test started that trace.</summary>
    public string? CallerSpanOf(string traceId) => _callerSpans.GetValueOrDefault(traceId);

    /// <summary>A token that cancels after <paramref name="timeout"/> or when xunit cancels the test: every call is bounded.</summary>
    public static CancellationTokenSource Timeout(TimeSpan timeout)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(timeout);
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            // Stops every resource process, then DCP (its controller process exits a few seconds later on its own).
            using var timeout = new CancellationTokenSource(StopTimeout);
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }

        await Traces.DisposeAsync();
        _data.Refresh();
        if (_data.Exists)
        {
            _data.Delete(recursive: true);
        }
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);
}
