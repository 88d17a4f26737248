using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Billing;

namespace Payments.Api.Tests.Infrastructure;

/// <summary>
/// A real Billing.Api on a loopback port, validating tokens against the given IdP, with its SQLite file in a temp folder.
/// It can be stopped and started again on the same port and data (Billing down, Billing back).
/// Test-only addition: counters of the requests that reached <c>/invoices</c>.
/// </summary>
public sealed class BillingHost : IAsyncDisposable
{
    private readonly string _authority;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("payments-tests-billing-").FullName;
    private BillingFactory? _factory;
    private int _requests;
    private int _requestsWithoutToken;
    private int _unauthorized;

    private BillingHost(string authority) => _authority = authority;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests to <c>/invoices</c> that reached Billing.</summary>
    public int InvoiceRequestCount => Volatile.Read(ref _requests);

    /// <summary>Requests to <c>/invoices</c> that came without an Authorization header.</summary>
    public int RequestsWithoutTokenCount => Volatile.Read(ref _requestsWithoutToken);

    /// <summary>Requests Billing answered with 401.</summary>
    public int UnauthorizedCount => Volatile.Read(ref _unauthorized);

    public static async Task<BillingHost> StartAsync(string authority)
    {
        var host = new BillingHost(authority);
        await host.StartAsync(port: 0);
        return host;
    }

    public async Task StopAsync()
    {
        if (_factory is { } factory)
        {
            _factory = null;
            await factory.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>Starts again on the same port and database, as a restarted process would.</summary>
    public Task RestartAsync() => StartAsync(BaseAddress.Port);

    /// <summary>The invoices Billing holds for a payment, read with a token of its own.</summary>
    public async Task<Invoice[]> InvoicesOfPaymentAsync(string paymentId, string billingReadToken, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", billingReadToken);
        return (await http.GetFromJsonAsync<Invoice[]>($"/invoices?paymentId={paymentId}", cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private Task StartAsync(int port)
    {
        var factory = new BillingFactory(this);
        factory.UseKestrel(port);
        factory.StartServer();
        _factory = factory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new UriBuilder(address) { Host = "127.0.0.1", Path = "/" }.Uri;
        return Task.CompletedTask;
    }

    private sealed class BillingFactory(BillingHost host) : WebApplicationFactory<global::Billing.Api.EntryPoint>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ResourceServer:Authority", host._authority);
            builder.UseSetting("ResourceServer:Audience", "billing-api");
            builder.UseSetting("ConnectionStrings:billing-db", $"Data Source={Path.Combine(host._dataDirectory, "billing.db")}");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new CountInvoiceRequests(host)));
        }
    }

    private sealed class CountInvoiceRequests(BillingHost host) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var invoices = context.Request.Path.StartsWithSegments("/invoices");
                if (invoices)
                {
                    Interlocked.Increment(ref host._requests);
                    if (!context.Request.Headers.ContainsKey("Authorization"))
                    {
                        Interlocked.Increment(ref host._requestsWithoutToken);
                    }
                }

                await nextMiddleware(context);
                if (invoices && context.Response.StatusCode == StatusCodes.Status401Unauthorized)
                {
                    Interlocked.Increment(ref host._unauthorized);
                }
            });
            next(app);
        };
    }
}
