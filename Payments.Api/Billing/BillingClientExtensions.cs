using ApiDefaults;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Payments.Api.Billing;

public static class BillingClientExtensions
{
    /// <summary>
    /// The typed Billing client: service discovery, a token of client <c>billing</c>, retries only of what is safe to send twice.
    /// Outside Development Billing is reached over https only; the token handler refuses http there as well.
    /// </summary>
    public static IServiceCollection AddBillingClient(this IServiceCollection services, bool isDevelopment)
    {
        // Replaces the default handler from ServiceDefaults: that one retries every method, POST included.
        // RemoveAllResilienceHandlers is marked experimental; it is the supported way to replace a default handler.
        var address = isDevelopment ? BillingClient.DevelopmentServiceAddress : BillingClient.ServiceAddress;
        var billing = services.AddHttpClient<BillingClient>(http => http.BaseAddress = address);
#pragma warning disable EXTEXP0001
        billing.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        billing.AddStandardResilienceHandler(ConfigureResilience);
        // Inside the resilience handler, so every attempt carries a current token.
        billing.AddTokenClient("billing", BillingScopes.Read);
        return services;
    }

    private static void ConfigureResilience(HttpStandardResilienceOptions options)
    {
        // A payment request waits on this call; when Billing is down the outbox takes over, so give up within seconds.
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.ShouldHandle = args => ValueTask.FromResult(
            HttpClientResiliencePredicates.IsTransient(args.Outcome) && IsSafeToRepeat(args.Context.GetRequestMessage()));
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(15);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// Idempotent methods (RFC 9110 §9.2.2), and any request with an Idempotency-Key: Billing answers a repeated
    /// POST /invoices with the invoice it already made, so a retry after a lost response cannot bill twice.
    /// </summary>
    internal static bool IsSafeToRepeat(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
            || request.Headers.Contains(IdempotencyKey.Header));
}
