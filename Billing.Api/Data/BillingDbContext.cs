using ApiDefaults;
using Billing.Api.Invoices;
using Microsoft.EntityFrameworkCore;

namespace Billing.Api.Data;

public sealed class BillingDbContext(DbContextOptions<BillingDbContext> options) : DbContext(options)
{
    public DbSet<Invoice> Invoices => Set<Invoice>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var invoice = modelBuilder.Entity<Invoice>();
        invoice.Property(i => i.PaymentId).HasMaxLength(CreateInvoiceRequest.MaxPaymentIdLength);
        invoice.Property(i => i.Currency).HasMaxLength(3);
        invoice.Property(i => i.Description).HasMaxLength(CreateInvoiceRequest.MaxDescriptionLength);
        invoice.Property(i => i.IdempotencyKey).HasMaxLength(IdempotencyKey.MaxLength);
        invoice.Property(i => i.RequestedBy).HasMaxLength(CreateInvoiceRequest.MaxClientIdLength);
        invoice.Property(i => i.ActedBy).HasMaxLength(CreateInvoiceRequest.MaxClientIdLength);
        invoice.HasIndex(i => i.PaymentId);
        // The database, not the code, guarantees one invoice per key, however many requests race.
        invoice.HasIndex(i => new { i.ClientId, i.IdempotencyKey }).IsUnique();
    }
}
