/* periph_gic.h — ARM Generic Interrupt Controller registers, CMSIS style (GICv2: IHI 0048B, GICv3: IHI 0069). */
#ifndef PERIPH_GIC_H
#define PERIPH_GIC_H

#include <stddef.h>
#include "cmsis_aarch64.h"

/*
 * Distributor. GICv2 and GICv3 share the layout up to 0xC00 and ICFGR; the GICv2-only
 * registers (ITARGETSR, SGIR, *PENDSGIR) and the GICv3-only ones (STATUSR, SETSPI, IGRPMODR,
 * IROUTER) sit at offsets the other version leaves reserved (IHI 0069 Table 12-25,
 * IHI 0048B Table 4-1). IPRIORITYR and ITARGETSR are byte-accessible in both versions.
 */
typedef struct {
	__IOM uint32_t CTLR;		/* 0x0000 Distributor Control */
	__IM uint32_t TYPER;		/* 0x0004 Interrupt Controller Type */
	__IM uint32_t IIDR;		/* 0x0008 Implementer Identification */
	__IM uint32_t TYPER2;		/* 0x000C v3.1: Type 2 */
	__IOM uint32_t STATUSR;		/* 0x0010 v3: Error Reporting Status */
	uint32_t RESERVED0[11];		/* 0x0014 */
	__OM uint32_t SETSPI_NSR;	/* 0x0040 v3: Set SPI (message-based) */
	uint32_t RESERVED1;		/* 0x0044 */
	__OM uint32_t CLRSPI_NSR;	/* 0x0048 v3: Clear SPI */
	uint32_t RESERVED2;		/* 0x004C */
	__OM uint32_t SETSPI_SR;	/* 0x0050 v3: Set SPI, Secure */
	uint32_t RESERVED3;		/* 0x0054 */
	__OM uint32_t CLRSPI_SR;	/* 0x0058 v3: Clear SPI, Secure */
	uint32_t RESERVED4[9];		/* 0x005C */
	__IOM uint32_t IGROUPR[32];	/* 0x0080 Interrupt Group */
	__IOM uint32_t ISENABLER[32];	/* 0x0100 Interrupt Set-Enable */
	__IOM uint32_t ICENABLER[32];	/* 0x0180 Interrupt Clear-Enable */
	__IOM uint32_t ISPENDR[32];	/* 0x0200 Interrupt Set-Pending */
	__IOM uint32_t ICPENDR[32];	/* 0x0280 Interrupt Clear-Pending */
	__IOM uint32_t ISACTIVER[32];	/* 0x0300 Interrupt Set-Active */
	__IOM uint32_t ICACTIVER[32];	/* 0x0380 Interrupt Clear-Active */
	__IOM uint8_t IPRIORITYR[1024]; /* 0x0400 Interrupt Priority, one byte per INTID */
	__IOM uint8_t ITARGETSR[1024];	/* 0x0800 v2: Processor Targets, one byte per INTID */
	__IOM uint32_t ICFGR[64];	/* 0x0C00 Interrupt Configuration, 2 bits per INTID */
	__IOM uint32_t IGRPMODR[32];	/* 0x0D00 v3: Interrupt Group Modifier */
	uint32_t RESERVED5[32];		/* 0x0D80 */
	__IOM uint32_t NSACR[64];	/* 0x0E00 Non-secure Access Control */
	__OM uint32_t SGIR;		/* 0x0F00 v2: Software Generated Interrupt */
	uint32_t RESERVED6[3];		/* 0x0F04 */
	__IOM uint8_t CPENDSGIR[16];	/* 0x0F10 v2: SGI Clear-Pending */
	__IOM uint8_t SPENDSGIR[16];	/* 0x0F20 v2: SGI Set-Pending */
	uint32_t RESERVED7[5172];	/* 0x0F30 */
	__IOM uint64_t IROUTER[1020];	/* 0x6000 v3: Interrupt Routing; entries 0..31 reserved */
} GICD_Type;

_Static_assert(offsetof(GICD_Type, TYPER) == 0x0004, "GICD_TYPER offset");
_Static_assert(offsetof(GICD_Type, SETSPI_NSR) == 0x0040, "GICD_SETSPI_NSR offset");
_Static_assert(offsetof(GICD_Type, CLRSPI_SR) == 0x0058, "GICD_CLRSPI_SR offset");
_Static_assert(offsetof(GICD_Type, IGROUPR) == 0x0080, "GICD_IGROUPR offset");
_Static_assert(offsetof(GICD_Type, ISENABLER) == 0x0100, "GICD_ISENABLER offset");
_Static_assert(offsetof(GICD_Type, ICENABLER) == 0x0180, "GICD_ICENABLER offset");
_Static_assert(offsetof(GICD_Type, ISPENDR) == 0x0200, "GICD_ISPENDR offset");
_Static_assert(offsetof(GICD_Type, ICPENDR) == 0x0280, "GICD_ICPENDR offset");
_Static_assert(offsetof(GICD_Type, ISACTIVER) == 0x0300, "GICD_ISACTIVER offset");
_Static_assert(offsetof(GICD_Type, ICACTIVER) == 0x0380, "GICD_ICACTIVER offset");
_Static_assert(offsetof(GICD_Type, IPRIORITYR) == 0x0400, "GICD_IPRIORITYR offset");
_Static_assert(offsetof(GICD_Type, ITARGETSR) == 0x0800, "GICD_ITARGETSR offset");
_Static_assert(offsetof(GICD_Type, ICFGR) == 0x0C00, "GICD_ICFGR offset");
_Static_assert(offsetof(GICD_Type, IGRPMODR) == 0x0D00, "GICD_IGRPMODR offset");
_Static_assert(offsetof(GICD_Type, NSACR) == 0x0E00, "GICD_NSACR offset");
_Static_assert(offsetof(GICD_Type, SGIR) == 0x0F00, "GICD_SGIR offset");
_Static_assert(offsetof(GICD_Type, CPENDSGIR) == 0x0F10, "GICD_CPENDSGIR offset");
_Static_assert(offsetof(GICD_Type, SPENDSGIR) == 0x0F20, "GICD_SPENDSGIR offset");
_Static_assert(offsetof(GICD_Type, IROUTER) == 0x6000, "GICD_IROUTER offset");
_Static_assert(offsetof(GICD_Type, IROUTER[32]) == 0x6100, "GICD_IROUTER32 (first SPI) offset");

/* GICD_CTLR. GICv2: bit 0 enables Group 0 forwarding (IHI 0048B 4.3.1). GICv3 with one
 * security state (DS = 1): bit 0 Group 0, bit 1 Group 1, ARE bit 4, RWP bit 31 (IHI 0069 12.9.4). */
#define GICD_CTLR_EnableGrp0_Pos 0U
#define GICD_CTLR_EnableGrp0_Msk (1UL << GICD_CTLR_EnableGrp0_Pos)
#define GICD_CTLR_EnableGrp1_Pos 1U
#define GICD_CTLR_EnableGrp1_Msk (1UL << GICD_CTLR_EnableGrp1_Pos)
#define GICD_CTLR_ARE_Pos	 4U
#define GICD_CTLR_ARE_Msk	 (1UL << GICD_CTLR_ARE_Pos)
#define GICD_CTLR_DS_Pos	 6U
#define GICD_CTLR_DS_Msk	 (1UL << GICD_CTLR_DS_Pos)
#define GICD_CTLR_RWP_Pos	 31U
#define GICD_CTLR_RWP_Msk	 (1UL << GICD_CTLR_RWP_Pos)

/* GICD_TYPER: ITLinesNumber N means 32 * (N + 1) INTIDs, capped at 1020. */
#define GICD_TYPER_ITLinesNumber_Pos 0U
#define GICD_TYPER_ITLinesNumber_Msk (0x1FUL << GICD_TYPER_ITLinesNumber_Pos)
#define GICD_TYPER_CPUNumber_Pos     5U
#define GICD_TYPER_CPUNumber_Msk     (0x7UL << GICD_TYPER_CPUNumber_Pos)

/* Number of INTIDs a distributor implements, from GICD_TYPER (1020 at most: 1020-1023 are special). */
static inline unsigned gicd_typer_lines(uint32_t typer)
{
	unsigned lines =
		32U * (((typer & GICD_TYPER_ITLinesNumber_Msk) >> GICD_TYPER_ITLinesNumber_Pos) + 1U);

	return lines > 1020U ? 1020U : lines;
}

/* GICD_SGIR (v2): TargetListFilter 0b10 = only the requesting CPU. */
#define GICD_SGIR_SGIINTID_Pos		0U
#define GICD_SGIR_SGIINTID_Msk		(0xFUL << GICD_SGIR_SGIINTID_Pos)
#define GICD_SGIR_CPUTargetList_Pos	16U
#define GICD_SGIR_CPUTargetList_Msk	(0xFFUL << GICD_SGIR_CPUTargetList_Pos)
#define GICD_SGIR_TargetListFilter_Pos	24U
#define GICD_SGIR_TargetListFilter_Msk	(0x3UL << GICD_SGIR_TargetListFilter_Pos)
#define GICD_SGIR_TargetListFilter_List 0U
#define GICD_SGIR_TargetListFilter_Self 2U

/* GICD_IROUTER (v3): affinity fields as in MPIDR_EL1, IRM bit 31 = any participating PE. */
#define GICD_IROUTER_Aff_Msk 0xFF00FFFFFFULL
#define GICD_IROUTER_IRM_Pos 31U
#define GICD_IROUTER_IRM_Msk (1ULL << GICD_IROUTER_IRM_Pos)

/* GICv2 CPU interface (IHI 0048B Table 4-2). */
typedef struct {
	__IOM uint32_t CTLR;	 /* 0x0000 CPU Interface Control */
	__IOM uint32_t PMR;	 /* 0x0004 Interrupt Priority Mask */
	__IOM uint32_t BPR;	 /* 0x0008 Binary Point */
	__IM uint32_t IAR;	 /* 0x000C Interrupt Acknowledge */
	__OM uint32_t EOIR;	 /* 0x0010 End of Interrupt */
	__IM uint32_t RPR;	 /* 0x0014 Running Priority */
	__IM uint32_t HPPIR;	 /* 0x0018 Highest Priority Pending Interrupt */
	__IOM uint32_t ABPR;	 /* 0x001C Aliased Binary Point */
	__IM uint32_t AIAR;	 /* 0x0020 Aliased Interrupt Acknowledge */
	__OM uint32_t AEOIR;	 /* 0x0024 Aliased End of Interrupt */
	__IM uint32_t AHPPIR;	 /* 0x0028 Aliased Highest Priority Pending Interrupt */
	uint32_t RESERVED0[41];	 /* 0x002C */
	__IOM uint32_t APR[4];	 /* 0x00D0 Active Priorities */
	__IOM uint32_t NSAPR[4]; /* 0x00E0 Non-secure Active Priorities */
	uint32_t RESERVED1[3];	 /* 0x00F0 */
	__IM uint32_t IIDR;	 /* 0x00FC CPU Interface Identification */
	uint32_t RESERVED2[960]; /* 0x0100 */
	__OM uint32_t DIR;	 /* 0x1000 Deactivate Interrupt */
} GICC_Type;

_Static_assert(offsetof(GICC_Type, PMR) == 0x0004, "GICC_PMR offset");
_Static_assert(offsetof(GICC_Type, BPR) == 0x0008, "GICC_BPR offset");
_Static_assert(offsetof(GICC_Type, IAR) == 0x000C, "GICC_IAR offset");
_Static_assert(offsetof(GICC_Type, EOIR) == 0x0010, "GICC_EOIR offset");
_Static_assert(offsetof(GICC_Type, HPPIR) == 0x0018, "GICC_HPPIR offset");
_Static_assert(offsetof(GICC_Type, APR) == 0x00D0, "GICC_APR offset");
_Static_assert(offsetof(GICC_Type, IIDR) == 0x00FC, "GICC_IIDR offset");
_Static_assert(offsetof(GICC_Type, DIR) == 0x1000, "GICC_DIR offset");

/* GICC_CTLR without security extensions: bit 0 enables Group 0 signalling (as IRQ, FIQEn = 0). */
#define GICC_CTLR_EnableGrp0_Pos 0U
#define GICC_CTLR_EnableGrp0_Msk (1UL << GICC_CTLR_EnableGrp0_Pos)

/* GICC_IAR: interrupt ID and, for SGIs, the requesting CPU (written back unchanged to EOIR). */
#define GICC_IAR_InterruptID_Pos 0U
#define GICC_IAR_InterruptID_Msk (0x3FFUL << GICC_IAR_InterruptID_Pos)
#define GICC_IAR_CPUID_Pos	 10U
#define GICC_IAR_CPUID_Msk	 (0x7UL << GICC_IAR_CPUID_Pos)

/* GICv3 redistributor, RD_base frame (IHI 0069 Table 12-27). */
typedef struct {
	__IOM uint32_t CTLR;	  /* 0x0000 Redistributor Control */
	__IM uint32_t IIDR;	  /* 0x0004 Implementer Identification */
	__IM uint64_t TYPER;	  /* 0x0008 Redistributor Type */
	__IOM uint32_t STATUSR;	  /* 0x0010 Error Reporting Status */
	__IOM uint32_t WAKER;	  /* 0x0014 Redistributor Wake */
	__IM uint32_t MPAMIDR;	  /* 0x0018 Report maximum PARTID and PMG */
	__IOM uint32_t PARTIDR;	  /* 0x001C Set PARTID and PMG */
	uint32_t RESERVED0[8];	  /* 0x0020 */
	__OM uint64_t SETLPIR;	  /* 0x0040 Set LPI Pending */
	__OM uint64_t CLRLPIR;	  /* 0x0048 Clear LPI Pending */
	uint32_t RESERVED1[8];	  /* 0x0050 */
	__IOM uint64_t PROPBASER; /* 0x0070 LPI Configuration Table Base */
	__IOM uint64_t PENDBASER; /* 0x0078 LPI Pending Table Base */
	uint32_t RESERVED2[8];	  /* 0x0080 */
	__OM uint64_t INVLPIR;	  /* 0x00A0 Invalidate LPI */
	uint32_t RESERVED3[2];	  /* 0x00A8 */
	__OM uint64_t INVALLR;	  /* 0x00B0 Invalidate All */
	uint32_t RESERVED4[2];	  /* 0x00B8 */
	__IM uint64_t SYNCR;	  /* 0x00C0 Synchronize */
} GICR_Type;

_Static_assert(offsetof(GICR_Type, TYPER) == 0x0008, "GICR_TYPER offset");
_Static_assert(offsetof(GICR_Type, WAKER) == 0x0014, "GICR_WAKER offset");
_Static_assert(offsetof(GICR_Type, SETLPIR) == 0x0040, "GICR_SETLPIR offset");
_Static_assert(offsetof(GICR_Type, PROPBASER) == 0x0070, "GICR_PROPBASER offset");
_Static_assert(offsetof(GICR_Type, INVLPIR) == 0x00A0, "GICR_INVLPIR offset");
_Static_assert(offsetof(GICR_Type, INVALLR) == 0x00B0, "GICR_INVALLR offset");
_Static_assert(offsetof(GICR_Type, SYNCR) == 0x00C0, "GICR_SYNCR offset");

/* GICv3 redistributor, SGI_base frame (RD_base + 64 KiB): SGIs and PPIs of one PE (Table 12-29). */
typedef struct {
	uint32_t RESERVED0[32];	      /* 0x0000 */
	__IOM uint32_t IGROUPR0;      /* 0x0080 Interrupt Group 0 */
	uint32_t RESERVED1[31];	      /* 0x0084 */
	__IOM uint32_t ISENABLER0;    /* 0x0100 Set-Enable 0 */
	uint32_t RESERVED2[31];	      /* 0x0104 */
	__IOM uint32_t ICENABLER0;    /* 0x0180 Clear-Enable 0 */
	uint32_t RESERVED3[31];	      /* 0x0184 */
	__IOM uint32_t ISPENDR0;      /* 0x0200 Set-Pending 0 */
	uint32_t RESERVED4[31];	      /* 0x0204 */
	__IOM uint32_t ICPENDR0;      /* 0x0280 Clear-Pending 0 */
	uint32_t RESERVED5[31];	      /* 0x0284 */
	__IOM uint32_t ISACTIVER0;    /* 0x0300 Set-Active 0 */
	uint32_t RESERVED6[31];	      /* 0x0304 */
	__IOM uint32_t ICACTIVER0;    /* 0x0380 Clear-Active 0 */
	uint32_t RESERVED7[31];	      /* 0x0384 */
	__IOM uint8_t IPRIORITYR[32]; /* 0x0400 Interrupt Priority, one byte per INTID 0..31 */
	uint32_t RESERVED8[504];      /* 0x0420 */
	__IOM uint32_t ICFGR0;	      /* 0x0C00 SGI Configuration */
	__IOM uint32_t ICFGR1;	      /* 0x0C04 PPI Configuration */
	uint32_t RESERVED9[62];	      /* 0x0C08 */
	__IOM uint32_t IGRPMODR0;     /* 0x0D00 Interrupt Group Modifier 0 */
	uint32_t RESERVED10[63];      /* 0x0D04 */
	__IOM uint32_t NSACR;	      /* 0x0E00 Non-secure Access Control */
} GICR_SGI_Type;

_Static_assert(offsetof(GICR_SGI_Type, IGROUPR0) == 0x0080, "GICR_IGROUPR0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ISENABLER0) == 0x0100, "GICR_ISENABLER0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ICENABLER0) == 0x0180, "GICR_ICENABLER0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ISPENDR0) == 0x0200, "GICR_ISPENDR0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ICPENDR0) == 0x0280, "GICR_ICPENDR0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ISACTIVER0) == 0x0300, "GICR_ISACTIVER0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ICACTIVER0) == 0x0380, "GICR_ICACTIVER0 offset");
_Static_assert(offsetof(GICR_SGI_Type, IPRIORITYR) == 0x0400, "GICR_IPRIORITYR offset");
_Static_assert(offsetof(GICR_SGI_Type, ICFGR0) == 0x0C00, "GICR_ICFGR0 offset");
_Static_assert(offsetof(GICR_SGI_Type, ICFGR1) == 0x0C04, "GICR_ICFGR1 offset");
_Static_assert(offsetof(GICR_SGI_Type, IGRPMODR0) == 0x0D00, "GICR_IGRPMODR0 offset");
_Static_assert(offsetof(GICR_SGI_Type, NSACR) == 0x0E00, "GICR_NSACR offset");

/* Each PE's redistributor: RD_base and SGI_base, 64 KiB each; GICv4 adds two VLPI frames. */
#define GICR_FRAME_SIZE 0x10000UL
#define GICR_SGI_OFFSET GICR_FRAME_SIZE
#define GICR_STRIDE_V3	(2 * GICR_FRAME_SIZE)
#define GICR_STRIDE_V4	(4 * GICR_FRAME_SIZE)

/* GICR_CTLR.RWP: a write to (SGI_base) ICENABLER0 or CTLR is still in progress. */
#define GICR_CTLR_RWP_Pos 3U
#define GICR_CTLR_RWP_Msk (1UL << GICR_CTLR_RWP_Pos)

/* GICR_TYPER: VLPIS (GICv4 frames present), Last (last redistributor of the region), affinity. */
#define GICR_TYPER_VLPIS_Pos	      1U
#define GICR_TYPER_VLPIS_Msk	      (1ULL << GICR_TYPER_VLPIS_Pos)
#define GICR_TYPER_Last_Pos	      4U
#define GICR_TYPER_Last_Msk	      (1ULL << GICR_TYPER_Last_Pos)
#define GICR_TYPER_Affinity_Value_Pos 32U
#define GICR_TYPER_Affinity_Value_Msk (0xFFFFFFFFULL << GICR_TYPER_Affinity_Value_Pos)

/* GICR_WAKER: clear ProcessorSleep, then wait for ChildrenAsleep to read 0 (IHI 0069 12.11.42). */
#define GICR_WAKER_ProcessorSleep_Pos 1U
#define GICR_WAKER_ProcessorSleep_Msk (1UL << GICR_WAKER_ProcessorSleep_Pos)
#define GICR_WAKER_ChildrenAsleep_Pos 2U
#define GICR_WAKER_ChildrenAsleep_Msk (1UL << GICR_WAKER_ChildrenAsleep_Pos)

/* INTID ranges (both versions): SGIs 0-15, PPIs 16-31, SPIs 32-1019, special 1020-1023. */
#define GIC_SGI_COUNT	   16U
#define GIC_PRIVATE_COUNT  32U
#define GIC_MAX_INTID	   1019U
#define GIC_SPURIOUS_FIRST 1020U
#define GIC_SPURIOUS	   1023U

#endif /* PERIPH_GIC_H */
