using System.Net.Http.Json;
using TestSupport;

namespace Billing.Api.Tests.Infrastructure;

/// <summary>One real EmbeddedIdp and one Billing.Api for the whole collection, plus an invoice to read.</summary>
public sealed class BillingApiFixture : IAsyncLifetime
{
    public const string SeedPaymentId = "pay-seed";

    public EmbeddedIdpFixture Idp { get; } = new();
    public BillingApiFactory Api { get; private set; } = null!;
    public Guid SeedInvoiceId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await Idp.InitializeAsync();
        Api = new BillingApiFactory(Idp.Issuer);

        var token = await Idp.GetAccessTokenAsync("payments-service", "billing:write");
        using var request = Requests.CreateInvoice(new { paymentId = SeedPaymentId, amount = 12.5m, currency = "EUR" }, token);
        using var response = await Api.CreateClient().SendAsync(request);
        response.EnsureSuccessStatusCode();
        SeedInvoiceId = (await response.Content.ReadFromJsonAsync<InvoiceDto>())!.Id;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using var client = Api.CreateClient();
        return await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}

[CollectionDefinition(nameof(BillingApiCollection))]
public sealed class BillingApiCollection : ICollectionFixture<BillingApiFixture>;

public sealed record InvoiceDto(Guid Id, string PaymentId, decimal Amount, string Currency, string? Description, DateTimeOffset CreatedAt);
