using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ResourceServer;

/// <summary>Introspection mode: ready only once the IdP's discovery document (issuer, introspection endpoint) is loaded.</summary>
internal sealed class IntrospectionHealthCheck(IntrospectionClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetMetadataAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (IdentityProviderUnavailableException exception)
        {
            return HealthCheckResult.Unhealthy("The identity provider metadata cannot be loaded.", exception);
        }
    }
}
