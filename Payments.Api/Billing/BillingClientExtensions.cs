using ApiDefaults;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using TokenClient;

namespace Payments.Api.Billing;

public static class BillingClientExtensions
{
    public const string AuthorizationSetting = "Billing:Authorization";

    /// <summary>Token client of <see cref="BillingAuthorization.ClientCredentials"/> (client payments-service).</summary>
    public const string ClientCredentialsTokenClient = "billing";

    /// <summary>Token client of <see cref="BillingAuthorization.TokenExchange"/> (client payments-api, the exchange requester).</summary>
    public const string TokenExchangeTokenClient = "billing-exchange";

    /// <summary>The audience an exchanged token is narrowed to: it is good for Billing and nothing else.</summary>
    public const string BillingAudience = "billing-api";

    /// <summary>
    /// The typed Billing client: service discovery, a token per <c>Billing:Authorization</c> (client credentials or the
    /// caller's token exchanged), retries only of what is safe to send twice. Outside Development Billing is reached over
    /// https only; the token handler refuses http there as well.
    /// </summary>
    public static IServiceCollection AddBillingClient(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var authorization = ReadAuthorization(configuration);
        // Replaces the default handler from ServiceDefaults: that one retries every method, POST included.
        // RemoveAllResilienceHandlers is marked experimental; it is the supported way to replace a default handler.
        var address = isDevelopment ? BillingClient.DevelopmentServiceAddress : BillingClient.ServiceAddress;
        var billing = services.AddHttpClient<BillingClient>(http => http.BaseAddress = address);
#pragma warning disable EXTEXP0001
        billing.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        billing.AddStandardResilienceHandler(ConfigureResilience);
        // Inside the resilience handler, so every attempt carries a current token.
        if (authorization == BillingAuthorization.TokenExchange)
        {
            billing.AddTokenExchange(TokenExchangeTokenClient, BillingScopes.Read, BillingAudience, SubjectTokenMissing.UseClientCredentials);
        }
        else
        {
            billing.AddTokenClient(ClientCredentialsTokenClient, BillingScopes.Read);
        }

        return services;
    }

    /// <summary>A wrong value stops startup with a message naming the key, never a silent fallback to the other mode.</summary>
    private static BillingAuthorization ReadAuthorization(IConfiguration configuration)
    {
        var setting = configuration[AuthorizationSetting];
        if (string.IsNullOrWhiteSpace(setting))
        {
            return BillingAuthorization.ClientCredentials;
        }

        return Enum.TryParse<BillingAuthorization>(setting, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidOperationException($"{AuthorizationSetting} is '{setting}'; expected ClientCredentials or TokenExchange.");
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
