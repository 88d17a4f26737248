namespace AppHost;

/// <summary>
/// The client secrets of the realm's four clients, as Aspire secret parameters. A value given in configuration
/// (<c>Parameters:payments-service-secret</c>, …) wins; otherwise one is generated on the first run and kept in the
/// AppHost's user secrets, so nothing secret is ever in a file of this repository.
/// </summary>
internal sealed class ClientSecrets(IDistributedApplicationBuilder builder)
{
    public IResourceBuilder<ParameterResource> PaymentsService { get; } = Add(builder, "payments-service-secret");

    public IResourceBuilder<ParameterResource> CheckoutService { get; } = Add(builder, "checkout-service-secret");

    public IResourceBuilder<ParameterResource> BillingApi { get; } = Add(builder, "billing-api-secret");

    public IResourceBuilder<ParameterResource> PaymentsApi { get; } = Add(builder, "payments-api-secret");

    /// <summary>Hands every secret to the IdP under the name of the realm file's <c>${…}</c> placeholder.</summary>
    public IResourceBuilder<T> AddToRealm<T>(IResourceBuilder<T> idp) where T : IResourceWithEnvironment =>
        idp.WithEnvironment("PAYMENTS_SERVICE_SECRET", PaymentsService)
            .WithEnvironment("CHECKOUT_SERVICE_SECRET", CheckoutService)
            .WithEnvironment("BILLING_API_SECRET", BillingApi)
            .WithEnvironment("PAYMENTS_API_SECRET", PaymentsApi);

    // 32 letters and digits (~185 bits): no special characters, so the secret needs no escaping in Basic auth or a shell.
    private static IResourceBuilder<ParameterResource> Add(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
}
