using System.Net;
using System.Net.Http.Json;
using Billing.Api.Tests.Infrastructure;
using TestSupport;

namespace Billing.Api.Tests.Security;

/// <summary>
/// Rule 6: an invoice belongs to the client that created it. Another client holding <c>billing:read</c> (here
/// checkout-service, given the scope in a copy of the realm) gets exactly the answer an unknown id gets.
/// </summary>
public sealed class InvoiceOwnershipTests : IAsyncLifetime
{
    private readonly EmbeddedIdpFixture _idp = new() { RealmPath = RealmCopy.WithOptionalScope("checkout-service", "billing:read") };
    private BillingOverHttp _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _idp.InitializeAsync();
        _billing = BillingOverHttp.Start(_idp.Issuer);
    }

    [Fact]
    public async Task Another_clients_invoice_is_404_like_an_unknown_one_and_absent_from_the_payment_list()
    {
        var paymentId = "pay-" + Guid.NewGuid();
        using var client = _billing.CreateHttpClient();
        using var create = Requests.CreateInvoice(new { paymentId, amount = 5m, currency = "EUR" },
            await _idp.GetAccessTokenAsync("payments-service", "billing:write", Ct));
        using var created = await client.SendAsync(create, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = (await created.Content.ReadFromJsonAsync<InvoiceDto>(Ct))!;

        var owner = await _idp.GetAccessTokenAsync("payments-service", "billing:read", Ct);
        var stranger = await _idp.GetAccessTokenAsync("checkout-service", "billing:read", Ct);

        using var ownRead = await client.SendAsync(Requests.Get($"/invoices/{invoice.Id}", owner), Ct);
        using var foreignRead = await client.SendAsync(Requests.Get($"/invoices/{invoice.Id}", stranger), Ct);
        using var unknownRead = await client.SendAsync(Requests.Get($"/invoices/{Guid.NewGuid()}", stranger), Ct);
        Assert.Equal(HttpStatusCode.OK, ownRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRead.StatusCode);
        Assert.Equal(foreignRead.Content.Headers.ContentType, unknownRead.Content.Headers.ContentType);

        using var ownList = await client.SendAsync(Requests.Get($"/invoices?paymentId={paymentId}", owner), Ct);
        using var foreignList = await client.SendAsync(Requests.Get($"/invoices?paymentId={paymentId}", stranger), Ct);
        Assert.Equal([invoice], (await ownList.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
        Assert.Empty((await foreignList.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
    }

    public async ValueTask DisposeAsync()
    {
        await _billing.DisposeAsync();
        await _idp.DisposeAsync();
        File.Delete(_idp.RealmPath);
    }
}
