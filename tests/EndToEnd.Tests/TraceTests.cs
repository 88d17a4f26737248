using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace EndToEnd.Tests;

/// <summary>
/// Reads the spans the services export: one payment is one trace. A class of its own, so its AppHost is fresh and
/// Payments has no cached token yet: the token request must show up in the trace.
/// </summary>
public sealed class TraceTests(AppHostFixture appHost) : IClassFixture<AppHostFixture>
{
    private const string TokenPath = "/realms/m2m/protocol/openid-connect/token";

    [Fact]
    public async Task One_payment_is_one_trace_from_the_caller_through_the_token_request_to_billing()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));

        // The test is the caller: its span is the root every service's span must descend from.
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var token = await appHost.GetAccessTokenAsync("checkout-service", "payments:write", timeout.Token);

        using var payments = appHost.CreateClient("payments-api");
        using var pay = new HttpRequestMessage(HttpMethod.Post, "payments")
        {
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() }, { "traceparent", $"00-{traceId}-{callerSpanId}-01" } },
            Content = JsonContent.Create(new { amount = 10m, currency = "EUR", description = "traced" }),
        };
        pay.Headers.Authorization = AppHostFixture.Bearer(token);
        using var response = await payments.SendAsync(pay, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var trace = await appHost.Traces.WaitForTraceAsync(
            traceId,
            spans => spans.Any(IsTokenRequestAtIdp) && spans.Any(IsInvoiceCreatedAtBilling),
            TimeSpan.FromSeconds(30));

        var paymentsServer = Assert.Single(trace, s => s is { Service: "payments-api", Kind: SpanKind.Server });
        Assert.Equal(callerSpanId, paymentsServer.ParentSpanId);

        Assert.Contains(trace, s => s.Service == "payments-api" && s.Scope.StartsWith("M2MDemo.", StringComparison.Ordinal));

        // Both downstream server spans hang off a client span of payments-api: one connected trace, not three.
        var tokenRequest = Assert.Single(trace, IsTokenRequestAtIdp);
        var invoiceCreated = Assert.Single(trace, IsInvoiceCreatedAtBilling);
        var paymentsSpans = trace.Where(s => s.Service == "payments-api").ToDictionary(s => s.SpanId);
        Assert.Equal(SpanKind.Client, paymentsSpans[tokenRequest.ParentSpanId].Kind);
        Assert.Equal(SpanKind.Client, paymentsSpans[invoiceCreated.ParentSpanId].Kind);
    }

    private static bool IsTokenRequestAtIdp(Span span) =>
        span is { Service: "idp", Kind: SpanKind.Server } && span.Attribute("url.path") == TokenPath;

    private static bool IsInvoiceCreatedAtBilling(Span span) =>
        span is { Service: "billing-api", Kind: SpanKind.Server }
        && span.Attribute("http.request.method") == "POST"
        && span.Attribute("url.path") is "/invoices" or "/invoices/";
}
