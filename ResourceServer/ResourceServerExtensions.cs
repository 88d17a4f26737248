using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
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
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerConfiguration>();
        // Registered after AddJwtBearer's own, so it runs once the backchannel exists.
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, SigningKeySourceConfiguration>();

        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();

        services.AddHealthChecks()
            .AddCheck<IdentityProviderHealthCheck>("identity-provider", timeout: TimeSpan.FromSeconds(5));

        return builder;
    }
}
