using Microsoft.EntityFrameworkCore;

namespace EmbeddedIdp;

/// <summary>OpenIddict's applications and token entries (for introspection and revocation), in a SQLite file.</summary>
public sealed class IdpDbContext(DbContextOptions<IdpDbContext> options) : DbContext(options);
