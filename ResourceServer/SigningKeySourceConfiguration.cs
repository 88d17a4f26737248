using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ResourceServer;

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
