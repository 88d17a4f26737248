using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ResourceServer;

/// <summary>Ready only when the IdP's metadata and signing keys are loaded (served from cache once fetched).</summary>
internal sealed class IdentityProviderHealthCheck(IOptionsMonitor<JwtBearerOptions> jwtBearer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var manager = jwtBearer.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager;
        if (manager is null)
        {
            return HealthCheckResult.Unhealthy("JwtBearer has no configuration manager.");
        }

        try
        {
            var configuration = await manager.GetConfigurationAsync(cancellationToken);
            return configuration.SigningKeys.Count > 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The identity provider publishes no signing keys.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The identity provider metadata cannot be loaded.", exception);
        }
    }
}
