using EmbeddedIdp.Realm;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EmbeddedIdp.Server;

/// <summary>
/// Makes OpenIddict's applications mirror the realm's clients on every start (created, updated, removed),
/// then loads them into <see cref="RealmApplications"/>. Entries are updated in place, not recreated, so token
/// entries issued before a restart still introspect.
/// </summary>
public static class RealmSeeder
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var realm = services.GetRequiredService<RealmModel>();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdpDbContext>();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();

        await db.Database.EnsureCreatedAsync(cancellationToken);

        var applications = db.Set<OpenIddictEntityFrameworkCoreApplication>();
        var existing = await applications.ToDictionaryAsync(a => a.ClientId!, StringComparer.Ordinal, cancellationToken);

        foreach (var client in realm.Clients.Values)
        {
            existing.Remove(client.ClientId, out var application);
            if (!client.Enabled)
            {
                if (application is not null)
                {
                    await manager.DeleteAsync(application, cancellationToken);
                }

                continue;
            }

            var descriptor = Describe(client);
            if (application is null)
            {
                await manager.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                // The descriptor carries the plain secret: OpenIddict re-hashes it when it differs from the stored value.
                await manager.UpdateAsync(application, descriptor, cancellationToken);
            }
        }

        foreach (var removed in existing.Values)
        {
            await manager.DeleteAsync(removed, cancellationToken);
        }

        services.GetRequiredService<RealmApplications>().Load(await applications.AsNoTracking().ToListAsync(cancellationToken));
    }

    private static OpenIddictApplicationDescriptor Describe(RealmClient client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.ClientId,
        };

        // Every confidential client may introspect and revoke (resource servers use their credentials for that).
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Introspection, Permissions.Endpoints.Revocation]);
        if (client.ServiceAccountsEnabled)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials]);
            descriptor.Permissions.UnionWith(client.DefaultScopes.Concat(client.OptionalScopes).Select(s => Permissions.Prefixes.Scope + s));
        }

        // Keycloak's standard token exchange (RFC 8693) needs no service account, only the client switch.
        if (client.StandardTokenExchangeEnabled)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.TokenExchange]);
            descriptor.Permissions.UnionWith(client.DefaultScopes.Concat(client.OptionalScopes).Select(s => Permissions.Prefixes.Scope + s));
        }

        return descriptor;
    }
}
