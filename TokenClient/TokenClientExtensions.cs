using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenClient;

namespace Microsoft.Extensions.DependencyInjection;

public static class TokenClientExtensions
{
    /// <summary>Attaches a token of client <paramref name="name"/> (settings in <c>TokenClient:{name}</c>) for <paramref name="scope"/> to every request.</summary>
    /// <example><c>services.AddHttpClient&lt;BillingClient&gt;(…).AddTokenClient("billing", "billing:read")</c></example>
    public static IHttpClientBuilder AddTokenClient(this IHttpClientBuilder builder, string name, string? scope = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddTokenClient(name);
        return builder.AddHttpMessageHandler(services => new ClientCredentialsTokenHandler(
            services.GetRequiredService<ClientCredentialsTokenManager>(),
            services.GetRequiredService<TokenClientTelemetry>(),
            name,
            scope,
            allowHttp: !services.GetRequiredService<IOptionsMonitor<TokenClientOptions>>().Get(name)
                .HttpsRequired(services.GetService<IHostEnvironment>()?.IsDevelopment() ?? false)));
    }

    /// <summary>
    /// Attaches a token that acts for the caller of the request being served: the caller's access token is exchanged
    /// (RFC 8693) by client <paramref name="name"/> for one limited to <paramref name="scope"/> and <paramref name="audience"/>.
    /// <paramref name="whenMissing"/> says what a request outside any caller's request gets (default: it is refused).
    /// </summary>
    /// <example><c>services.AddHttpClient&lt;BillingClient&gt;(…).AddTokenExchange("billing", "billing:read", "billing-api")</c></example>
    public static IHttpClientBuilder AddTokenExchange(
        this IHttpClientBuilder builder, string name, string? scope, string? audience, SubjectTokenMissing whenMissing = SubjectTokenMissing.Refuse)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddTokenClient(name);
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton<IncomingAccessToken>();
        return builder.AddHttpMessageHandler(services => new TokenExchangeHandler(
            services.GetRequiredService<TokenExchangeManager>(),
            services.GetRequiredService<ClientCredentialsTokenManager>(),
            services.GetRequiredService<IncomingAccessToken>(),
            services.GetRequiredService<TokenClientTelemetry>(),
            name,
            scope,
            audience,
            whenMissing,
            allowHttp: !services.GetRequiredService<IOptionsMonitor<TokenClientOptions>>().Get(name)
                .HttpsRequired(services.GetService<IHostEnvironment>()?.IsDevelopment() ?? false)));
    }

    /// <summary>Registers client <paramref name="name"/> from <c>TokenClient:{name}</c>, for code that asks <see cref="ClientCredentialsTokenManager"/> directly.</summary>
    public static IServiceCollection AddTokenClient(this IServiceCollection services, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddTokenClientCore();
        services.AddOptions<TokenClientOptions>(name)
            .BindConfiguration($"{TokenClientOptions.SectionName}:{name}")
            .ValidateOnStart();
        return services;
    }

    private static void AddTokenClientCore(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(ClientCredentialsTokenManager)))
        {
            return;
        }

        services.AddHybridCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IValidateOptions<TokenClientOptions>>(provider =>
            new TokenClientOptionsValidator(provider.GetService<IHostEnvironment>()?.IsDevelopment() ?? false));
        services.AddSingleton<TokenClientTelemetry>();
        // Exported wherever the app has OpenTelemetry: the "acquire token" span puts the IdP's token request into the caller's trace.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(TokenClientTelemetry.Name));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(TokenClientTelemetry.Name));
        services.AddSingleton<TokenEndpointClient>();
        services.AddSingleton(provider => new ClientCredentialsTokenManager(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TokenEndpointClient>(),
            provider.GetRequiredService<IOptionsMonitor<TokenClientOptions>>(),
            provider.GetRequiredService<TokenClientTelemetry>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ClientCredentialsTokenManager>>()));
        services.AddSingleton(provider => new TokenExchangeManager(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TokenEndpointClient>(),
            provider.GetRequiredService<IOptionsMonitor<TokenClientOptions>>(),
            provider.GetRequiredService<TokenClientTelemetry>(),
            provider.GetRequiredService<TimeProvider>()));

        // A token request has no side effect but minting a token, so retrying it is safe. It sits on the path of a
        // business call, though: retry briefly and give up within 15 s, instead of the standard 3 retries over 30 s.
        // RemoveAllResilienceHandlers is marked experimental; it is the one supported way to replace the default handler.
#pragma warning disable EXTEXP0001
        services.AddHttpClient(TokenEndpointClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(NeverFollowRedirects)
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(ConfigureTokenEndpointResilience);
#pragma warning restore EXTEXP0001
    }

    /// <summary>A 307 from the token endpoint would re-send the client secret to wherever it points: a redirect is an error.</summary>
    private static void NeverFollowRedirects(HttpMessageHandler handler, IServiceProvider services)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }
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
