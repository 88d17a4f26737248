using System.Net;

namespace EndToEnd.Tests;

/// <summary>
/// Reads the spans the services exported: one payment is one trace, caller → payments-api → idp token request
/// (when Payments has no cached token) → billing-api.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TraceTests(AppHostFixture appHost)
{
    private const string TokenPath = "/realms/m2m/protocol/openid-connect/token";

    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_payment_is_one_trace_from_the_caller_through_payments_to_billing()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        var traceId = await PayAsync(timeout.Token);

        // Spans are exported as they end: the payments-api server span ends last.
        var spans = await appHost.Traces.WaitForSpansAsync(
            all => all.Any(s => s.TraceId == traceId && IsInvoiceCreatedAtBilling(s)) && all.Any(s => s.TraceId == traceId && IsPaymentsServer(s)),
            ExportTimeout);
        var trace = spans.Where(s => s.TraceId == traceId).ToList();

        var paymentsServer = Assert.Single(trace, IsPaymentsServer);
        Assert.Equal(appHost.CallerSpanOf(traceId), paymentsServer.ParentSpanId);
        AssertCalledByPayments(trace, Assert.Single(trace, IsInvoiceCreatedAtBilling));
    }

    [Fact]
    public async Task The_token_request_of_a_payment_is_in_that_payments_trace()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        // The run's first payment needs Payments' billing:write token; test order is free, so it may be another test's payment.
        await PayAsync(timeout.Token);

        var spans = await appHost.Traces.WaitForSpansAsync(all => TraceOfTokenRequest(all) is not null, ExportTimeout);
        var trace = TraceOfTokenRequest(spans);

        Assert.NotNull(trace);
        var paymentsServer = Assert.Single(trace, IsPaymentsServer);
        Assert.Equal("POST", paymentsServer.Attribute("http.request.method"));
        // Whichever test's payment needed the token, the test sent it as the caller of its trace.
        Assert.NotNull(appHost.CallerSpanOf(paymentsServer.TraceId));
        Assert.Equal(appHost.CallerSpanOf(paymentsServer.TraceId), paymentsServer.ParentSpanId);

        // The token request hangs off Payments' own token-acquisition span (ActivitySource TokenClient).
        var tokenRequestClient = AssertCalledByPayments(trace, Assert.Single(trace, IsTokenRequestAtIdp));
        var acquisition = Assert.Single(trace, s => s.SpanId == tokenRequestClient.ParentSpanId);
        Assert.Equal(("payments-api", "TokenClient"), (acquisition.Service, acquisition.Scope));

        AssertCalledByPayments(trace, Assert.Single(trace, IsInvoiceCreatedAtBilling));
    }

    /// <summary>A successful payment as checkout-service; returns the trace id the test started for it.</summary>
    private async Task<string> PayAsync(CancellationToken cancellationToken)
    {
        using var payments = appHost.CreateClient("payments-api");
        using var pay = appHost.NewPayment(10m, "traced");
        pay.Headers.Authorization = AppHostFixture.Bearer(
            await appHost.GetAccessTokenAsync("checkout-service", "payments:write", cancellationToken));
        var traceId = pay.Headers.GetValues("traceparent").Single().Split('-')[1];

        using var response = await payments.SendAsync(pay, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return traceId;
    }

    /// <summary>The trace in which Payments asked the IdP for a token and then created an invoice.</summary>
    private static List<Span>? TraceOfTokenRequest(IReadOnlyList<Span> spans) =>
        spans.Where(IsTokenRequestAtIdp)
            .Select(tokenRequest => spans.Where(s => s.TraceId == tokenRequest.TraceId).ToList())
            .FirstOrDefault(trace => trace.Any(IsInvoiceCreatedAtBilling) && trace.Any(IsPaymentsServer));

    /// <summary>A server span hangs off a client span of payments-api in the same trace: one connected trace, not several.</summary>
    private static Span AssertCalledByPayments(List<Span> trace, Span server)
    {
        var parent = Assert.Single(trace, s => s.SpanId == server.ParentSpanId);
        Assert.Equal(("payments-api", SpanKind.Client), (parent.Service, parent.Kind));
        return parent;
    }

    private static bool IsPaymentsServer(Span span) => span is { Service: "payments-api", Kind: SpanKind.Server };

    private static bool IsTokenRequestAtIdp(Span span) =>
        span is { Service: "idp", Kind: SpanKind.Server } && span.Attribute("url.path") == TokenPath;

    private static bool IsInvoiceCreatedAtBilling(Span span) =>
        span is { Service: "billing-api", Kind: SpanKind.Server }
        && span.Attribute("http.request.method") == "POST"
        && span.Attribute("url.path") is "/invoices" or "/invoices/";
}
