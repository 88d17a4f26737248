using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>
/// The AppHost with <c>BillingAuthorization=TokenExchange</c>: a payment's invoice is created with checkout-service's
/// token exchanged by payments-api, Billing records both, and the payment's trace shows the exchange at the IdP.
/// </summary>
[Collection(TokenExchangeAppHostCollection.Name)]
public sealed class TokenExchangeModeTests(TokenExchangeAppHostFixture appHost)
{
    private const string TokenPath = "/realms/m2m/protocol/openid-connect/token";

    [Fact]
    public async Task Invoice_is_created_for_the_caller_by_payments_api_with_an_exchanged_token()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        var (invoice, _) = await PayAsync(timeout.Token);

        Assert.Equal("checkout-service", invoice.GetProperty("requestedBy").GetString());
        Assert.Equal("payments-api", invoice.GetProperty("actedBy").GetString());
    }

    [Fact]
    public async Task The_exchange_is_in_the_payments_trace_between_payments_and_the_idp()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        // A fresh caller token per payment: its exchange cannot come from the cache, so this trace has one.
        var (_, traceId) = await PayAsync(timeout.Token);

        var spans = await appHost.Traces.WaitForSpansAsync(
            all => all.Any(s => s.TraceId == traceId && IsTokenRequestAtIdp(s))
                && all.Any(s => s.TraceId == traceId && s is { Service: "payments-api", Kind: SpanKind.Server }),
            TimeSpan.FromSeconds(30));
        var trace = spans.Where(s => s.TraceId == traceId).ToList();

        var exchange = Assert.Single(trace, s => s is { Service: "payments-api", Scope: "TokenClient", Name: "exchange token" });
        Assert.Equal("billing:write", exchange.Attribute("token_client.scope"));
        var tokenRequest = Assert.Single(trace, IsTokenRequestAtIdp);
        var client = Assert.Single(trace, s => s.SpanId == tokenRequest.ParentSpanId);
        Assert.Equal(exchange.SpanId, client.ParentSpanId);
    }

    [Fact]
    public async Task Reading_the_payment_reads_its_invoice_with_an_exchanged_read_token()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        using var payments = appHost.CreateClient("payments-api");
        var token = await appHost.GetAccessTokenAsync("checkout-service", "payments:write payments:read", timeout.Token);
        using var pay = appHost.NewPayment(7m, "read back");
        pay.Headers.Authorization = AppHostFixture.Bearer(token);
        using var created = await payments.SendAsync(pay, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var read = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location) { Headers = { Authorization = AppHostFixture.Bearer(token) } };
        using var response = await payments.SendAsync(read, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal("payments-api", payment.GetProperty("invoice").GetProperty("actedBy").GetString());
    }

    private async Task<(JsonElement Invoice, string TraceId)> PayAsync(CancellationToken cancellationToken)
    {
        using var payments = appHost.CreateClient("payments-api");
        using var pay = appHost.NewPayment(12m, "exchanged");
        pay.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:write", cancellationToken));
        var traceId = pay.Headers.GetValues("traceparent").Single().Split('-')[1];

        using var response = await payments.SendAsync(pay, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return (payment.GetProperty("invoice"), traceId);
    }

    private static bool IsTokenRequestAtIdp(Span span) =>
        span is { Service: "idp", Kind: SpanKind.Server } && span.Attribute("url.path") == TokenPath;
}
