using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDefaults.TokenManagement;

namespace Microsoft.Extensions.DependencyInjection;

public static class TokenManagementExtensions
{
    /// <summary>
    /// Attaches a client-credentials token of token client <paramref name="tokenClient"/> (configured at
    /// <c>TokenClients:{tokenClient}</c>, validated at startup) for <paramref name="scope"/> to every request of this HttpClient:
    /// <c>services.AddHttpClient&lt;BillingClient&gt;(…).AddClientCredentialsToken("billing", "billing:write")</c>.
    /// </summary>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, string tokenClient, string? scope = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenClient);
        builder.Services.AddTokenClient(tokenClient);
        return builder.AddHttpMessageHandler(services => new ClientCredentialsTokenHandler(
            services.GetRequiredService<ClientCredentialsTokenManager>(),
            services.GetRequiredService<TokenManagementTelemetry>(),
            tokenClient,
            scope));
    }

    /// <summary>
    /// Registers token client <paramref name="name"/> from <c>TokenClients:{name}</c> and the token management services
    /// (<see cref="ClientCredentialsTokenManager"/> for code that needs a token without an HttpClient).
    /// </summary>
    public static IServiceCollection AddTokenClient(this IServiceCollection services, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddTokenManagement();
        services.AddOptions<TokenClientOptions>(name)
            .BindConfiguration($"{TokenClientOptions.SectionName}:{name}")
            .ValidateOnStart();
        return services;
    }

    private static void AddTokenManagement(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(ClientCredentialsTokenManager)))
        {
            return;
        }

        services.AddHybridCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IValidateOptions<TokenClientOptions>>(provider =>
            new TokenClientOptionsValidator(provider.GetService<IHostEnvironment>()?.IsDevelopment() ?? false));
        services.AddSingleton<TokenManagementTelemetry>();
        services.AddSingleton<TokenEndpointClient>();
        services.AddSingleton(provider => new ClientCredentialsTokenManager(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TokenEndpointClient>(),
            provider.GetRequiredService<IOptionsMonitor<TokenClientOptions>>(),
            provider.GetRequiredService<TokenManagementTelemetry>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ClientCredentialsTokenManager>>()));

        // A token request has no side effect but minting a token, so retrying it is safe. It sits on the path of a
        // business call, though: retry briefly and give up within 15 s, instead of the standard 3 retries over 30 s.
        // RemoveAllResilienceHandlers is marked experimental; it is the one supported way to replace the default handler.
#pragma warning disable EXTEXP0001
        services.AddHttpClient(TokenEndpointClient.HttpClientName)
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(ConfigureTokenEndpointResilience);
#pragma warning restore EXTEXP0001
    }

    private static void ConfigureTokenEndpointResilience(HttpStandardResilienceOptions options)
    {
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(15);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
    }
}
