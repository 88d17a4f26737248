using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Payments;
using Payments.Api.Tests.Infrastructure;

namespace Payments.Api.Tests.Functional;

/// <summary>
/// <c>Billing:Authorization=TokenExchange</c>: Payments exchanges its caller's token for a billing token (RFC 8693), and
/// Billing records the caller as who asked and payments-api as who acted, also when the outbox delivers later.
/// </summary>
[Collection(nameof(PaymentsCollection))]
public sealed class TokenExchangeModeTests(IdpAndBillingFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Payment_is_invoiced_with_the_callers_token_exchanged_for_a_billing_write_token()
    {
        await using var payments = fixture.StartPayments(BillingAuthorization.TokenExchange);
        using var caller = await payments.CreateCallerAsync();

        using var created = await caller.PostPaymentAsync("exchange-" + Guid.NewGuid(), cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = (await created.ReadPaymentAsync(Ct)).Invoice;
        Assert.NotNull(invoice);
        Assert.Equal(("checkout-service", "payments-api"), (invoice.RequestedBy, invoice.ActedBy));
    }

    [Fact]
    public async Task Client_credentials_mode_acts_as_payments_service_for_the_same_caller()
    {
        await using var payments = fixture.StartPayments(BillingAuthorization.ClientCredentials);
        using var caller = await payments.CreateCallerAsync();

        using var created = await caller.PostPaymentAsync("client-credentials-" + Guid.NewGuid(), cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = (await created.ReadPaymentAsync(Ct)).Invoice;
        Assert.Equal(("checkout-service", "payments-service"), (invoice?.RequestedBy, invoice?.ActedBy));
    }

    [Fact]
    public async Task One_caller_token_costs_one_exchange_per_scope_however_many_calls()
    {
        await using var payments = fixture.StartPayments(BillingAuthorization.TokenExchange);
        using var caller = await payments.CreateCallerAsync();
        fixture.Idp.ResetTokenRequestCount();

        var ids = new List<Uri>();
        for (var i = 0; i < 5; i++)
        {
            using var created = await caller.PostPaymentAsync($"cached-{Guid.NewGuid()}", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add(created.Headers.Location!);
        }

        foreach (var id in ids)
        {
            using var read = await caller.GetAsync(id, Ct);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            // Read from Billing with the exchanged billing:read token: the invoice payments-api created is visible to it.
            Assert.Equal("payments-api", (await read.ReadPaymentAsync(Ct)).Invoice?.ActedBy);
        }

        // One exchange for billing:write (the POSTs), one for billing:read (the GETs).
        Assert.Equal(2, fixture.Idp.TokenRequestCount);
    }

    [Fact]
    public async Task Outbox_retry_without_a_caller_token_acts_as_payments_api_names_the_caller_and_invoices_once()
    {
        await using var payments = fixture.StartPayments(BillingAuthorization.TokenExchange);
        using var caller = await payments.CreateCallerAsync();
        await fixture.Billing.StopAsync();

        PaymentResponse pending;
        try
        {
            using var accepted = await caller.PostPaymentAsync("exchange-outage-" + Guid.NewGuid(), cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            pending = await accepted.ReadPaymentAsync(Ct);
        }
        finally
        {
            await fixture.Billing.RestartAsync();
        }

        await WaitUntilDeliveredAsync(payments);
        using var read = await caller.GetAsync($"/payments/{pending.Id}", Ct);
        var delivered = await read.ReadPaymentAsync(Ct);
        Assert.True(delivered.Status == PaymentStatus.Invoiced, $"{delivered.Status}: {await read.Content.ReadAsStringAsync(Ct)}");

        // Billing shows an invoice to the client that created it: payments-api, for the exchange and the retry alike.
        var readToken = await fixture.Idp.GetAccessTokenAsync("payments-api", "billing:read", Ct);
        var invoice = Assert.Single(await fixture.Billing.InvoicesOfPaymentAsync(pending.Id.ToString(), readToken, Ct));
        Assert.Equal(("checkout-service", "payments-api"), (invoice.RequestedBy, invoice.ActedBy));
    }

    /// <summary>Waits (bounded) until the worker emptied the outbox, reading Payments' own database, not Billing.</summary>
    private static async Task WaitUntilDeliveredAsync(PaymentsHost payments)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(IdpAndBillingFixture.Timeout);
        while (true)
        {
            await using (var scope = payments.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
                if (!await db.InvoiceOutbox.AnyAsync(deadline.Token))
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }
}
