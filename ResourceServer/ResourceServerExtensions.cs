using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ResourceServer;

namespace Microsoft.Extensions.Hosting;

public static class ResourceServerExtensions
{
    /// <summary>Validates bearer tokens from the IdP (settings in <c>ResourceServer</c>, checked at startup) and authorizes by scope.</summary>
    /// <remarks>Adds RFC 6750 challenges with problem-details bodies and a readiness check on the IdP's signing keys.</remarks>
    public static TBuilder AddResourceServer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // An unknown kid then refreshes the keys within the request that carried it (still at most once per
        // RefreshInterval), so the first token signed with a rotated-in key is accepted instead of rejected.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);

        var services = builder.Services;
        services.AddOptions<ResourceServerOptions>()
            .BindConfiguration(ResourceServerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResourceServerOptions>, ResourceServerOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ResourceServerOptions>>().Value;
            return new ValidatedTokenCache(settings.TokenCacheSize, settings.TokenCacheDuration, sp.GetRequiredService<TimeProvider>());
        });

        services.AddProblemDetails();
        // Read at registration, because it decides which services exist; a value that is not a mode stops startup naming the key.
        var validation = builder.Configuration.GetValue(
            $"{ResourceServerOptions.SectionName}:{nameof(ResourceServerOptions.TokenValidation)}", TokenValidation.Jwt);
        if (validation == TokenValidation.Introspection)
        {
            services.AddIntrospection();
        }
        else
        {
            services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            // JwtBearer's options, post-configuration and backchannel, our handler: see BearerTokenAuthenticationHandler.
            services.Configure<AuthenticationOptions>(options =>
                options.SchemeMap[JwtBearerDefaults.AuthenticationScheme].HandlerType = typeof(BearerTokenAuthenticationHandler));
            services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerConfiguration>();
            // Registered after AddJwtBearer's own, so it runs once the backchannel exists.
            services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, SigningKeySourceConfiguration>();
            services.AddHealthChecks()
                .AddCheck<IdentityProviderHealthCheck>("identity-provider", timeout: TimeSpan.FromSeconds(5));
        }

        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();

        return builder;
    }

    /// <summary>Introspection mode: the same scheme name ("Bearer"), so endpoints and policies do not change.</summary>
    private static void AddIntrospection(this IServiceCollection services)
    {
        services.AddSingleton<IntrospectionClient>();
        services.AddSingleton<TokenIntrospector>();
        // One attempt, bounded by Introspection:Timeout: a request waits on it, and the 503's Retry-After tells the caller
        // when to come back, instead of the standard handler's retries for up to 30 s.
        // RemoveAllResilienceHandlers is marked experimental; it is the one supported way to drop the default handler.
#pragma warning disable EXTEXP0001
        services.AddHttpClient(IntrospectionClient.HttpClientName)
            .ConfigureHttpClient((provider, http) =>
                http.Timeout = provider.GetRequiredService<IOptions<ResourceServerOptions>>().Value.Introspection.Timeout)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, IntrospectionAuthenticationHandler>(JwtBearerDefaults.AuthenticationScheme, null);
        services.AddHealthChecks()
            .AddCheck<IntrospectionHealthCheck>("identity-provider", timeout: TimeSpan.FromSeconds(5));
    }
}
