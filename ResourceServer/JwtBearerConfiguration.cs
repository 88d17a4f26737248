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
        // Nothing reads the token back from the authentication properties (a token exchange reads the header itself);
        // not saving it lets a cache hit skip copying the token out of the header.
        options.SaveToken = false;

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
        // No JwtBearerEvents: the scheme's handler is BearerTokenAuthenticationHandler, which writes the RFC 6750 answers itself.
    }
}
