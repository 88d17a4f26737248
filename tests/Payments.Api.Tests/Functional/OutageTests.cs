using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Data;
using Payments.Api.Payments;
using Payments.Api.Tests.Infrastructure;

namespace Payments.Api.Tests.Functional;

/// <summary>Billing stopped and started again: the payment is kept, answered 202, and invoiced exactly once when Billing is back.</summary>
[Collection(nameof(PaymentsCollection))]
public sealed class BillingOutageTests(IdpAndBillingFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Payment_made_while_billing_is_down_is_invoiced_exactly_once_when_billing_is_back()
    {
        await using var payments = fixture.StartPayments();
        using var caller = await payments.CreateCallerAsync();
        await fixture.Billing.StopAsync();

        PaymentResponse pending;
        try
        {
            using var accepted = await caller.PostPaymentAsync("billing-down", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            pending = await accepted.ReadPaymentAsync(Ct);
            Assert.Equal(PaymentStatus.InvoicePending, pending.Status);
            Assert.Null(pending.Invoice);
            Assert.Equal($"/payments/{pending.Id}", accepted.Headers.Location?.OriginalString);

            // The replay says what the first answer said: still pending, 202, same Location, same body.
            using var replay = await caller.PostPaymentAsync("billing-down", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
            Assert.Equal(accepted.Headers.Location, replay.Headers.Location);
            Assert.Equal(await accepted.Content.ReadAsStringAsync(Ct), await replay.Content.ReadAsStringAsync(Ct));
        }
        finally
        {
            await fixture.Billing.RestartAsync();
        }

        var invoiced = await WaitForStatusAsync(caller, pending.Id, PaymentStatus.Invoiced);

        var billingToken = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:read", Ct);
        var invoices = await fixture.Billing.InvoicesOfPaymentAsync(pending.Id.ToString(), billingToken, Ct);
        var invoice = Assert.Single(invoices);
        Assert.Equal(invoice.Id, invoiced.Invoice?.Id);
        Assert.Equal(42.50m, invoice.Amount);

        await using var scope = payments.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().InvoiceOutbox.AnyAsync(Ct));
    }

    [Fact]
    public async Task Reading_or_replaying_a_payment_while_billing_is_down_is_503_with_retry_after()
    {
        await using var payments = fixture.StartPayments();
        using var caller = await payments.CreateCallerAsync();
        using var created = await caller.PostPaymentAsync("read-while-down", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await fixture.Billing.StopAsync();
        try
        {
            using var read = await caller.GetAsync(created.Headers.Location, Ct);
            using var replay = await caller.PostPaymentAsync("read-while-down", cancellationToken: Ct);

            foreach (var response in new[] { read, replay })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(TimeSpan.FromSeconds(PaymentsApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            }
        }
        finally
        {
            await fixture.Billing.RestartAsync();
        }
    }

    /// <summary>Polls the payment until it has the status; bounded, so a delivery that never happens fails the test.</summary>
    private static async Task<PaymentResponse> WaitForStatusAsync(HttpClient caller, Guid id, PaymentStatus status)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(IdpAndBillingFixture.Timeout);
        while (true)
        {
            using var response = await caller.GetAsync($"/payments/{id}", deadline.Token);
            if (response.StatusCode == HttpStatusCode.OK && await response.ReadPaymentAsync(deadline.Token) is { } payment && payment.Status == status)
            {
                return payment;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }
}

/// <summary>
/// The IdP stopped while tokens are cached: calls go on until the tokens near expiry; without a token a payment is
/// 202 pending and a read 503 with Retry-After. Stops its own IdP.
/// </summary>
public sealed class IdpOutageTests(IdpAndBillingFixture fixture) : IClassFixture<IdpAndBillingFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_the_idp_is_down_cached_tokens_keep_calls_working_and_a_cold_cache_leaves_the_invoice_pending()
    {
        await using var warm = fixture.StartPayments();
        using var warmCaller = await warm.CreateCallerAsync();
        using var before = await warmCaller.PostPaymentAsync("before-outage", cancellationToken: Ct);
        using var beforeRead = await warmCaller.GetAsync(before.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.OK, beforeRead.StatusCode);

        // No Billing token yet, but it has validated its caller once, so it knows the IdP's signing keys.
        await using var cold = fixture.StartPayments();
        using var coldCaller = await cold.CreateCallerAsync();
        using var notFound = await coldCaller.GetAsync($"/payments/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        // Has its billing:write token, never asked for billing:read.
        await using var halfWarm = fixture.StartPayments();
        using var halfWarmCaller = await halfWarm.CreateCallerAsync();
        using var invoiced = await halfWarmCaller.PostPaymentAsync("write-token-only", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, invoiced.StatusCode);

        await fixture.Idp.DisposeAsync();

        using var created = await warmCaller.PostPaymentAsync("during-outage", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var read = await warmCaller.GetAsync(created.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotNull((await read.ReadPaymentAsync(Ct)).Invoice);

        using var pending = await coldCaller.PostPaymentAsync("no-token-during-outage", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Equal(PaymentStatus.InvoicePending, (await pending.ReadPaymentAsync(Ct)).Status);

        // Reading the invoice needs a billing:read token the IdP cannot give now: a clear 503, not a 500.
        using var unreadable = await halfWarmCaller.GetAsync(invoiced.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreadable.StatusCode);
        Assert.Equal("application/problem+json", unreadable.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(PaymentsApi.RetryAfterSeconds), unreadable.Headers.RetryAfter?.Delta);
    }
}
