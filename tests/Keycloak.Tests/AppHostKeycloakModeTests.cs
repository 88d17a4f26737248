using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keycloak.Tests;

/// <summary>
/// The whole AppHost with <c>IdentityProvider=Keycloak</c>: its own Keycloak container (the AppHost's image, port and
/// KC_HOSTNAME), Billing.Api and Payments.Api as processes. Without a container engine it starts nothing.
/// </summary>
public sealed class KeycloakAppHostFixture : IAsyncLifetime
{
    // Bounds the whole start, the first pull of the Keycloak image included.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, string> _secrets = new[] { "payments-service", "checkout-service", "billing-api", "payments-api" }
        .ToDictionary(client => client, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("m2mdemo-keycloak-e2e-");
    private DistributedApplication? _app;

    public string? SkipReason { get; private set; }

    public DistributedApplication App => _app ?? throw new InvalidOperationException($"The AppHost is not running: {SkipReason}");

    public async ValueTask InitializeAsync()
    {
        SkipReason = await ContainerEngine.UnavailableReasonAsync();
        if (SkipReason is not null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(StartTimeout);
        string[] args =
        [
            "IdentityProvider=Keycloak",
            $"Parameters:keycloak-admin-password={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}",
            .. _secrets.Select(secret => $"Parameters:{secret.Key}-secret={secret.Value}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, timeout.Token);
        builder.Services.AddLogging(logging => logging
            .AddFilter($"{builder.Environment.ApplicationName}.Resources", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("ConnectionStrings__billing-db", $"Data Source={Path.Combine(_data.FullName, "billing.db")}")
                .WithEnvironment("ConnectionStrings__payments-db", $"Data Source={Path.Combine(_data.FullName, "payments.db")}");
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        string[] resources = ["idp", "billing-api", "payments-api"];
        await Task.WhenAll(resources.Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
    }

    public HttpClient CreateClient(string resource) => new() { BaseAddress = App.GetEndpoint(resource, "http") };

    public async Task<string> GetAccessTokenAsync(string clientId, string scope, CancellationToken cancellationToken)
    {
        using var idp = CreateClient("idp");
        using var response = await idp.PostAsync("realms/m2m/protocol/openid-connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = _secrets[clientId],
            ["scope"] = scope,
        }), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _data.Delete(recursive: true);
    }
}

/// <summary>The register → acquire → call → validate loop through the AppHost in Keycloak mode.</summary>
public sealed class AppHostKeycloakModeTests(KeycloakAppHostFixture appHost) : IClassFixture<KeycloakAppHostFixture>
{
    private readonly KeycloakAppHostFixture _appHost = RunningOrSkip(appHost);

    [Fact]
    public async Task Checkout_pays_and_reads_the_payment_with_its_invoice_through_keycloak()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var payments = _appHost.CreateClient("payments-api");

        var writeToken = await _appHost.GetAccessTokenAsync("checkout-service", "payments:write", timeout.Token);
        using var pay = new HttpRequestMessage(HttpMethod.Post, "payments")
        {
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
            Content = JsonContent.Create(new { amount = 42.50m, currency = "EUR", description = "Keycloak mode" }),
        };
        pay.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writeToken);
        using var created = await payments.SendAsync(pay, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var read = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
        read.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer", await _appHost.GetAccessTokenAsync("checkout-service", "payments:read", timeout.Token));
        using var found = await payments.SendAsync(read, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);

        var payment = await found.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        var invoice = payment.GetProperty("invoice");
        Assert.Equal(payment.GetProperty("id").ToString(), invoice.GetProperty("paymentId").GetString());
        Assert.Equal(42.50m, invoice.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Keycloak_tokens_carry_the_issuer_the_apphost_pins_for_every_service()
    {
        var token = await _appHost.GetAccessTokenAsync("checkout-service", "payments:read", TestContext.Current.CancellationToken);

        // KC_HOSTNAME in the AppHost: the URL the services validate against, whatever address reached Keycloak.
        var idp = _appHost.App.GetEndpoint("idp", "http").ToString().TrimEnd('/');
        Assert.Equal($"{idp}/realms/m2m", Jwt.PayloadOf(token).GetProperty("iss").GetString());
    }

    private static KeycloakAppHostFixture RunningOrSkip(KeycloakAppHostFixture appHost)
    {
        Assert.SkipWhen(appHost.SkipReason is not null, appHost.SkipReason ?? "");
        return appHost;
    }
}
