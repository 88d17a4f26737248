using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SqliteDatabase;

/// <summary>Creates the SQLite database under its data folder before the server accepts requests.</summary>
internal sealed class SqliteDatabaseInitializer<TContext>(IServiceScopeFactory scopes) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (Path.GetDirectoryName(dataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        try
        {
            await db.Database.EnsureCreatedAsync(cancellationToken);
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == 1 && exception.Message.Contains("already exists", StringComparison.Ordinal))
        {
            // Another instance on the same file created the schema between EF's check and its CREATE TABLE: done.
        }

        // EnsureCreated never changes an existing file: a database from an earlier version would fail its first query (a 500).
        if (await MissingColumnsAsync(db, cancellationToken) is { Count: > 0 } missing)
        {
            throw new InvalidOperationException(
                $"The database '{dataSource}' was created by an earlier version of this service and lacks {string.Join(", ", missing)}. "
                + "Delete the file (it is recreated empty at the next start) or move its data over yourself.");
        }

        // Write-ahead logging lets readers (a request, a background worker) run while a writer holds the lock.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    /// <summary>Every column of the model that the file's tables do not have, as <c>Table.Column</c>.</summary>
    private static async Task<List<string>> MissingColumnsAsync(TContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var missing = new List<string>();
            foreach (var entity in db.Model.GetEntityTypes())
            {
                if (entity.GetTableName() is not { } table)
                {
                    continue;
                }

                var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT name FROM pragma_table_info($table)";
                command.Parameters.Add(new SqliteParameter("$table", table));
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        existing.Add(reader.GetString(0));
                    }
                }

                var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
                missing.AddRange(entity.GetProperties()
                    .Select(property => property.GetColumnName(store))
                    .Where(column => column is not null && !existing.Contains(column))
                    .Select(column => $"{table}.{column}"));
            }

            return missing;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
