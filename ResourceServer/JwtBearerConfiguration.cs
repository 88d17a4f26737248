using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>JwtBearer set up strictly from <see cref="ResourceServerOptions"/>: exact audience, short clock skew, asymmetric algorithms only.</summary>
internal sealed class JwtBearerConfiguration(
    IOptions<ResourceServerOptions> settings,
    IHostEnvironment environment,
    ILoggerFactory loggerFactory,
    IServiceProvider services) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>Signing algorithms accepted: asymmetric only, so a public key can never be used as an HMAC secret.</summary>
    private static readonly IReadOnlyList<string> ValidAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>Header <c>typ</c> values accepted: Keycloak's default and RFC 9068's.</summary>
    private static readonly IReadOnlyList<string> ValidTypes = ["JWT", "at+jwt"];

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

        var cache = resourceServer.TokenCacheSize > 0 ? services.GetRequiredService<ValidatedTokenCache>() : null;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new ResourceServerTokenHandler(
            resourceServer, cache, services.GetRequiredService<TimeProvider>(), loggerFactory.CreateLogger("ResourceServer.TokenValidation")));

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

/// <summary>
/// Runs after JwtBearer's own post-configuration (which builds the backchannel): swaps its configuration manager for
/// <see cref="SigningKeySource"/>, and empties the validated-token cache whenever the issuer's keys change.
/// </summary>
internal sealed class SigningKeySourceConfiguration(
    IOptions<ResourceServerOptions> settings,
    IHostEnvironment environment,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IServiceProvider services) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme || options.Backchannel is null)
        {
            return;
        }

        var resourceServer = settings.Value;
        var metadataAddress = options.MetadataAddress is { Length: > 0 } address
            ? address
            : $"{resourceServer.Authority!.OriginalString.TrimEnd('/')}/.well-known/openid-configuration";
        var source = new SigningKeySource(metadataAddress, options.Backchannel,
            resourceServer.RequireHttpsMetadata ?? !environment.IsDevelopment(), time,
            resourceServer.KeyRefreshInterval, resourceServer.UnknownKeyRefreshInterval,
            loggerFactory.CreateLogger("ResourceServer.SigningKeys"));
        if (resourceServer.TokenCacheSize > 0)
        {
            var cache = services.GetRequiredService<ValidatedTokenCache>();
            source.KeysChanged += cache.Clear;
        }

        options.ConfigurationManager = source;
    }
}
