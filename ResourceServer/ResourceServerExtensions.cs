using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Authentication;

namespace Microsoft.Extensions.Hosting;

/// <summary>The resource-server building block: validate bearer tokens from the IdP, authorize by scope.</summary>
public static class ResourceServerExtensions
{
    /// <summary>Signing algorithms accepted: asymmetric only, so a public key can never be used as an HMAC secret.</summary>
    public static readonly IReadOnlyList<string> ValidAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>Header <c>typ</c> values accepted: Keycloak's default and RFC 9068's.</summary>
    public static readonly IReadOnlyList<string> ValidTypes = ["JWT", "at+jwt"];

    /// <summary>
    /// JwtBearer authentication configured from the <c>ResourceServer</c> section (validated at startup),
    /// scope authorization, RFC 6750 challenges with problem-details bodies, and an IdP readiness check.
    /// </summary>
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
        services.AddSingleton(sp => new ValidatedTokenCache(
            sp.GetRequiredService<IOptions<ResourceServerOptions>>().Value.TokenCacheSize, sp.GetRequiredService<TimeProvider>()));

        services.AddProblemDetails();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();

        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();

        services.AddHealthChecks()
            .AddCheck<IdentityProviderHealthCheck>("identity-provider", timeout: TimeSpan.FromSeconds(5));

        return builder;
    }

    private sealed class ConfigureJwtBearer(
        IOptions<ResourceServerOptions> settings,
        IHostEnvironment environment,
        ILoggerFactory loggerFactory,
        IServiceProvider services) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(JwtBearerOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);

        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtBearerDefaults.AuthenticationScheme)
            {
                return;
            }

            var resourceServer = settings.Value;
            options.Authority = resourceServer.Authority!.OriginalString;
            options.RequireHttpsMetadata = resourceServer.RequireHttpsMetadata ?? !environment.IsDevelopment();
            options.MapInboundClaims = false;
            // An unknown kid refreshes the JWKS at most once a minute, however many such tokens arrive.
            options.RefreshInterval = TimeSpan.FromMinutes(1);

            var cache = resourceServer.TokenCacheSize > 0 ? services.GetRequiredService<ValidatedTokenCache>() : null;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ResourceServerTokenHandler(
                resourceServer.MaxTokenSize, cache, loggerFactory.CreateLogger("ServiceDefaults.Authentication.TokenValidation")));

            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuers = resourceServer.ValidIssuers,
                ValidateAudience = true,
                ValidAudience = resourceServer.Audience,
                // The library would accept "billing-api/" for "billing-api".
                IgnoreTrailingSlashWhenValidatingAudience = false,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = resourceServer.ClockSkew,
                RequireSignedTokens = true,
                ValidAlgorithms = ValidAlgorithms,
                ValidTypes = ValidTypes,
                // The kid must name a key we hold; never try every key on a token that names an unknown one.
                TryAllIssuerSigningKeys = false,
                NameClaimType = "client_id",
            };

            options.Events = new JwtBearerEvents
            {
                OnChallenge = BearerChallenge.WriteUnauthorizedAsync,
                // Anything that escapes validation is still the caller's bad token: fail the authentication, never a 500.
                OnAuthenticationFailed = context =>
                {
                    context.Fail(context.Exception);
                    return Task.CompletedTask;
                },
            };
        }
    }
}
