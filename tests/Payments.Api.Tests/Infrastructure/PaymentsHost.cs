using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Payments.Api.Billing;
using TestSupport;

namespace Payments.Api.Tests.Infrastructure;

/// <summary>
/// Payments.Api in-process (the tests are its only callers), with a real IdP and a real Billing.Api over HTTP.
/// Every instance starts with a cold token cache and its own SQLite file.
/// </summary>
public sealed class PaymentsHost(IIdentityProvider idp, Uri billingAddress, string? clientSecret = null)
    : WebApplicationFactory<EntryPoint>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("payments-tests-").FullName;

    /// <summary>How Payments gets its Billing token (<c>Billing:Authorization</c>): client credentials or the caller's token exchanged.</summary>
    public BillingAuthorization BillingAuthorization { get; init; } = BillingAuthorization.ClientCredentials;

    /// <summary>An HttpClient for Payments with a checkout-service token that may read and write payments.</summary>
    public async Task<HttpClient> CreateCallerAsync(string scope = "payments:write payments:read")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", await idp.GetAccessTokenAsync("checkout-service", scope));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ResourceServer:Authority", idp.Issuer);
        builder.UseSetting("ResourceServer:Audience", "payments-api");
        builder.UseSetting("TokenClient:billing:Authority", idp.Issuer);
        builder.UseSetting("TokenClient:billing:ClientId", "payments-service");
        builder.UseSetting("TokenClient:billing:ClientSecret", clientSecret ?? idp.SecretOf("payments-service"));
        builder.UseSetting("Billing:Authorization", BillingAuthorization.ToString());
        builder.UseSetting("TokenClient:billing-exchange:Authority", idp.Issuer);
        builder.UseSetting("TokenClient:billing-exchange:ClientId", "payments-api");
        builder.UseSetting("TokenClient:billing-exchange:ClientSecret", idp.SecretOf("payments-api"));
        // How service discovery finds "https+http://billing-api" outside Aspire.
        builder.UseSetting("services:billing-api:http:0", billingAddress.ToString().TrimEnd('/'));
        builder.UseSetting("ConnectionStrings:payments-db", $"Data Source={Path.Combine(_dataDirectory, "payments.db")}");
        // A quick outbox, so "Billing is back" is seen within a second, not minutes.
        builder.UseSetting("InvoiceDelivery:PollInterval", "00:00:00.100");
        builder.UseSetting("InvoiceDelivery:FirstRetryDelay", "00:00:00.200");
        builder.UseSetting("InvoiceDelivery:MaxRetryDelay", "00:00:01");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
