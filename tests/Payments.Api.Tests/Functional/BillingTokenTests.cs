using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Payments.Api.Billing;
using Payments.Api.Payments;
using Payments.Api.Tests.Infrastructure;
using TokenClient;

namespace Payments.Api.Tests.Functional;

/// <summary>
/// The tokens Payments.Api sends to Billing, with a real EmbeddedIdp and a real Billing.Api; token requests counted at
/// the IdP, requests and 401s at Billing. The IdP and Billing are this class's own: counts at a shared one would also
/// see the background work (outbox worker, token refresh) of Payments instances that other classes keep running.
/// </summary>
public sealed class BillingTokenTests(IdpAndBillingFixture fixture) : IClassFixture<IdpAndBillingFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_are_reused_across_calls_one_token_request_per_scope_set()
    {
        await using var payments = fixture.StartPayments();
        using var caller = await payments.CreateCallerAsync();
        fixture.Idp.ResetTokenRequestCount();

        for (var i = 0; i < 5; i++)
        {
            using var created = await caller.PostPaymentAsync($"reuse-{i}", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var read = await caller.GetAsync(created.Headers.Location, Ct);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.NotNull((await read.ReadPaymentAsync(Ct)).Invoice);
        }

        // One billing:write token for the five POST /invoices, one billing:read token for the five GET /invoices/{id}.
        Assert.Equal(2, fixture.Idp.TokenRequestCount);
    }

    [Fact]
    public async Task Fifty_concurrent_calls_on_a_cold_cache_cause_one_token_request()
    {
        await using var payments = fixture.StartPayments();
        using var caller = await payments.CreateCallerAsync();
        using var created = await caller.PostPaymentAsync("read-concurrently", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        fixture.Idp.ResetTokenRequestCount();

        // Each GET /payments/{id} calls Billing with a billing:read token, which nobody has asked for yet. Fewer calls
        // than the Billing client's circuit-breaker minimum throughput (100): with 200, a busy machine made a few
        // attempts outlast the 5 s attempt timeout, the breaker opened, and the rest were answered 503.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => caller.GetAsync(created.Headers.Location, Ct)))
            .WaitAsync(IdpAndBillingFixture.Timeout, Ct);

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, fixture.Idp.TokenRequestCount);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Rejected_token_is_replaced_and_the_call_replayed_once()
    {
        await using var payments = fixture.StartPayments();
        using var caller = await payments.CreateCallerAsync();
        using var retries = new MetricCollector<long>(
            payments.Services.GetRequiredService<IMeterFactory>(), TokenClientTelemetry.Name, "token_client.retries");

        // A real token of the IdP, but for Payments' audience: Billing answers 401 invalid_token, as for a revoked or rotated one.
        var wrongAudience = await fixture.Idp.GetAccessTokenAsync("checkout-service", "payments:write", Ct);
        var manager = payments.Services.GetRequiredService<ClientCredentialsTokenManager>();
        var now = DateTimeOffset.UtcNow;
        await payments.Services.GetRequiredService<HybridCache>().SetAsync(
            manager.CacheKey("billing", BillingScopes.Write),
            new AccessToken(wrongAudience, BillingScopes.Write, now.AddMinutes(5), now.AddMinutes(4)),
            cancellationToken: Ct);
        fixture.Idp.ResetTokenRequestCount();
        var unauthorizedBefore = fixture.Billing.UnauthorizedCount;

        using var response = await caller.PostPaymentAsync("forced-401", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, fixture.Billing.UnauthorizedCount - unauthorizedBefore);
        Assert.Equal(1, fixture.Idp.TokenRequestCount);
        Assert.Equal(1, retries.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.NotEqual(wrongAudience, (await manager.GetTokenAsync("billing", BillingScopes.Write, Ct)).Value);
    }

    [Fact]
    public async Task Wrong_client_secret_fails_with_the_idps_error_and_nothing_reaches_billing()
    {
        await using var payments = fixture.StartPayments(clientSecret: "not-the-secret");
        using var caller = await payments.CreateCallerAsync();
        var billingRequestsBefore = fixture.Billing.InvoiceRequestCount;

        await using (var scope = payments.Services.CreateAsyncScope())
        {
            var billing = scope.ServiceProvider.GetRequiredService<BillingClient>();
            var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => billing.GetInvoiceAsync(Guid.NewGuid(), Ct));

            Assert.True(error.IsCredentialsRejected);
            Assert.Equal("unauthorized_client", error.Error);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.Contains($"'billing'", error.Message);
            Assert.Contains("unauthorized_client", error.Message);
            Assert.DoesNotContain("not-the-secret", error.Message);
        }

        // The payment is kept, its invoice waits in the outbox; Billing never saw a request.
        using var response = await caller.PostPaymentAsync("wrong-secret", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(PaymentStatus.InvoicePending, (await response.ReadPaymentAsync(Ct)).Status);
        Assert.Equal(billingRequestsBefore, fixture.Billing.InvoiceRequestCount);
    }
}
