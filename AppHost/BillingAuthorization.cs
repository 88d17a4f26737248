using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>How Payments.Api gets its token for Billing.Api: the AppHost setting <c>BillingAuthorization</c>, handed to Payments as <c>Billing:Authorization</c>.</summary>
internal enum BillingAuthorization
{
    /// <summary>Payments' own client-credentials token, as client payments-service.</summary>
    ClientCredentials,

    /// <summary>The caller's token exchanged (RFC 8693) by client payments-api for a token narrowed to the Billing call.</summary>
    TokenExchange,
}

internal static class BillingAuthorizationExtensions
{
    private const string SettingKey = "BillingAuthorization";

    /// <summary>e.g. <c>dotnet run --project AppHost -- BillingAuthorization=TokenExchange</c>; a wrong value stops the AppHost.</summary>
    public static BillingAuthorization GetBillingAuthorization(this IConfiguration configuration)
    {
        var setting = configuration[SettingKey] ?? nameof(BillingAuthorization.ClientCredentials);
        return Enum.TryParse<BillingAuthorization>(setting, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidOperationException($"{SettingKey} is '{setting}'; expected ClientCredentials or TokenExchange.");
    }

    /// <summary>
    /// Gives Payments the one token client its mode uses, with that client's secret only: payments-service for client
    /// credentials, payments-api (the exchange requester) for token exchange.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBillingAuthorization(
        this IResourceBuilder<ProjectResource> payments,
        BillingAuthorization mode,
        IResourceBuilder<IResourceWithEndpoints> idp,
        ClientSecrets secrets) =>
        mode == BillingAuthorization.TokenExchange
            ? payments.WithEnvironment("Billing__Authorization", mode.ToString()).WithTokenClient("billing-exchange", idp, secrets.PaymentsApi)
            : payments.WithEnvironment("Billing__Authorization", mode.ToString()).WithTokenClient("billing", idp, secrets.PaymentsService);
}
