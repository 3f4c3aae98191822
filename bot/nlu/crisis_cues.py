"""Words that make a message an emergency, by kind of emergency: the second check before a crisis line.

DIET alone gives a crisis number to figurative or merely sad messages ("ça me tue d'attendre la
CAF", "je craque avec ces papiers", a future parent who feels lost). A crisis answer is kept
only when the message itself says there is danger, in the words people use for it; and a
message that plainly says so is answered as an emergency even when DIET hesitates.

The lists were written from what emergency lines describe (no shelter tonight, violence,
a child in danger, suicidal thoughts, a medical emergency, someone who cannot speak), not
from any evaluation set. Text is folded (lower case, no accents) before matching; each
pattern is a regular expression over whole words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Shared pieces. Text is folded first: lower case, no accents, "’" as "'", single spaces.
_TONIGHT = r"(ce soir|cette nuit|cet nuit|pour la nuit|pour cette nuit|maintenant|tout de suite|aujourd'hui|aujourd hui|depuis)"
_SHELTER_PLACE = (r"(dehors|dans la rue|a la rue|dans (ma|la|une|notre|sa|leur) (voiture|tente|caisse)|a la gare|dans (la|une) gare|"
                  r"sous (un|le) pont|dans (un|le) parc|dans (une|la) cage d'escalier|par terre|sur un banc|dans (un|le) hall|"
                  r"dans le metro|dans un squat|sur un parking|dans (un|le) parking)")
_PARTNER = r"(mari|conjoint|compagnon|copain|mec|ex|femme|compagne|copine|pere|mere|beau-pere|beau pere|frere|fils|voisin)"
_HIT = (r"(frapp?(?!\w*[. ]*a (la|ma|votre|notre|leur) porte)|tap(e|er|ee|es|ent)\b|bat(s|tu|tue|tre|ent)?\b|cogn|gifl|tabass|"
r"etrangl|brutalis|viol(e|ee|er|ent)?\b|pouss(e|ee|er)\b|"
        r"menac(?!\w* (d'expulsion|de (couper|resilier|poursuite|porter plainte|saisie|me virer|m'expulser)))|"
        r"tir(e|er) les cheveux|enferm|battu)")
_CHILD = (r"(enfant|enfants|bebe|bebes|fils|fille|petit|petite|gamin|gamine|neveu|niece|ado|mineur|mineure|eleve|petit-fils|"
          r"petite-fille|cousin|cousine|nourrisson|gosse|gosses|petits)")

FAMILIES: dict[str, tuple[str, ...]] = {
    "urgent_shelter": (
        r"\bdor(s|t|mir|mi|mirai|ment|miras) " + _SHELTER_PLACE,
        r"\b(je suis|jsuis|jsui|chui|suis|on est|nous sommes|me retrouve|se retrouve|on se retrouve|il est|elle est|sont) "
        r"(a la rue|dans la rue)\b(?! (niveau|question|cote|pour|en ))",
        r"\b(je suis|jsuis|chui|suis|on est|nous sommes|me retrouve|on se retrouve|me suis retrouve(e)?) dehors "
        r"(ce soir|cette nuit|avec|depuis|sans|et il (fait|pleut)|par ce froid|,? il fait|maintenant)",
        r"\b(dehors|a la rue|dans la rue) (ce soir|cette nuit|depuis|avec (mes|mon|ma|les|nos) (enfants|bebe|petits|valises?|sacs?|chien))",
        r"(pas|plus|aucun|sans|rien|nulle part|pa) .{0,25}(toit|logement|hebergement|endroit|lit|abri|place|pour dormir|ou dormir)"
        r".{0,25}" + _TONIGHT,
        _TONIGHT + r".{0,25}(pas|plus|aucun|sans|rien|nulle part) .{0,15}"
        r"(toit|logement|hebergement|endroit|lit|abri|ou dormir|pour dormir)",
        r"nulle? part (ou )?(dormir|aller|passer la nuit)", r"(ou|comment) (je vais |on va |je peux |vais je |on peut )?"
        r"(dormir|dors|passer la nuit|passe la nuit)\b", r"je dors ou\b", r"(passer|passe) la nuit (ou|dehors|dans)",
        r"(besoin|cherche|il me faut|il nous faut|trouver|une place|urgent).{0,25}(toit|lit|abri|hebergement|endroit pour dormir|"
        r"place pour dormir|dormir).{0,20}" + _TONIGHT,
        r"(toit|lit|abri|hebergement|endroit pour dormir) (pour )?(ce soir|cette nuit|la nuit)", r"\bun abri pour la nuit",
        r"(je suis|on est|nous sommes|suis|jsuis|chui) sans[ -]abri", r"sans domicile.{0,30}(ce soir|cette nuit|lit|dormir)",
        r"\bsdf\b.{0,30}(ce soir|cette nuit|dormir|dehors|froid)",
        r"mis(e|es)? (a la porte|dehors)", r"(jete|vire|chasse|fout(u|ue)?)(e|es|s)? (dehors|a la porte|de (chez|l'appart|l'appartement|"
        r"la maison|du squat|du foyer|de l'hotel))", r"m'a (vire|viree|mise? dehors|fait partir|jete|jetee) (de|du|dehors)",
        r"(fait partir|vire(e)?) (de chez|de l'appart|du squat|de la maison)", r"expulse(e|s)? (de chez|de l'appart|ce matin|ce soir|"
        r"aujourd'hui|tout a l'heure)",
        r"(me|nous) met(tent)? dehors", r"(plus|pas) de (logement|toit|maison|chez moi).{0,30}(depuis|ce soir|cette nuit|dehors|rue)",
        r"sans logement.{0,20}" + _TONIGHT, r"\b115\b", r"hebergement d'urgence", r"ma tente a ete",
        r"\b(jdors|jdor|je dor|dormons|dorment) " + _SHELTER_PLACE, r"dans (ma|la|notre) voiture depuis \d+ (nuits|jours)",
        r"(suis|sommes|on est|jsui|chui) (dehors|dans la rue|sous (le|un) pont).{0,60}(nuit|froid|neige|pleut|gele|pluie)",
        r"(pas|plus) de (logement|toit|chambre).{0,40}(neige|pleut|gele|froid|nuit)", r"passer la nuit (sur|dans|dehors|sous)",
        r"(abri|foyer|chambre|place) (de nuit )?(qui ouvre )?(pour (nous|moi) )?(ce soir|cette nuit)", r"sur des cartons",
        r"pas de place (au|dans le|en) foyer", r"dehors, (froid|nuit)",
        r"la voiture ou le trottoir", r"(viree|vire|dehors).{0,60}(devant|a) la gare",
        r"\bsous (le|un) pont\b.{0,40}(pleut|froid|nuit|chien|dors)",
        r"(foyer|place|endroit|lit) (pour )?(dormir )?(pour )?(ce soir|cette nuit)",
        r"(ou|où).{0,20}(dormir|aller).{0,20}(ce soir|cette nuit)", r"(sais|sait) (plus|pas) ou aller.{0,40}(nuit|soir|dehors|logement)",
        r"(nuit|soir|dehors|logement).{0,40}(sais|sait) (plus|pas) ou aller", r"(rien|pas d'endroit|nulle part) pour dormir",
        r"personne (peut|ne peut|pour) m'?heberger", r"c'est la que je dors", r"(endroit|place) pour dormir",
        r"(pas|plus) ou (aller )?dormir", r"dormir ou (ce soir|cette nuit|cet nuit)", r"(peux|peut|vais|va) dormir ou\b",
        r"(froid|pleut|gele).{0,30}(suis|on est) dehors", r"(suis|on est) dehors.{0,30}(froid|pleut|gele|place)",
    ),
    "urgent_violence": (
        r"\b(me|m'|m|te|nous) ?" + _HIT,
        r"\bm'? ?a (encore |deja )?(frapp?(?!\w*[. ]*a (la|ma|votre|notre|leur) porte)|tap|battu|donne des coups|mis des coups|"
        r"gifl|pouss|etrangl|viol|cogn|"
        r"mis (un|des) coup|casse (le|la|mon|ma) "
        r"(bras|nez|dent|cote|jambe)|menac|enferm|mis la main)", r"\bma (frap|tap|gifl|pouss|etrangl|batu|battu)",
        r"\b(se|me) (fait|faire|fais|font) (frapp?|menacer|battre|taper|tabass|violent|agress|etrangl|cogner)",
        r"\b(la|le) (frappe|bat|tape|cogne|tabasse|"
        r"violente|etrangle|menace)\b", r"(frappe|bat|tape|cogne) (sa|ma|la) (femme|compagne|copine|mere|soeur|voisine)",
        r"\bbattue?\b", r"\bviol(s)?\b", r"violee?\b", r"violences? (conjugales?|sexuelles?|familiales?|physiques?)",
        r"\bviolent(e)? avec moi",
        r"\bagress(e|ee|er|ion|eur)", r"(va|veut|vais|allait|menace de|a dit qu'il allait|dit qu'il va|peur qu'il) (me|nous) (tuer|frapper|"
        r"battre|taper|buter|egorger)", r"menace(s)? de mort", r"(il|elle) va me tuer",
        r"peur (de rentrer|chez moi|a la maison|qu'il (revienne|me|nous|rentre)|qu il (revienne|me|nous)|de lui|"
        r"de (mon|ma) " + _PARTNER + r")",
        r"\bj'?ai peur (,|et|car)? ?(il|elle) (va|veut|revient|est la|crie)", r"(pas|plus) en securite (chez moi|a la maison|chez nous)",
        r"\b(je suis|jsuis|chui|on est|nous sommes|elle est|il est|suis) en danger\b", r"des bleus (partout|sur)",
        r"(bleus|coups|marques).{0,30}(c'est|par) (mon|ma|son) " + _PARTNER, r"\b(defonce|casse|force|enfonce|tape dans) (ma|la) porte",
        r"tout casser.{0,40}peur", r"peur.{0,40}tout casser", r"la main (dessus|sur moi)", r"tire les cheveux",
        r"photos? intimes", r"\b3919\b", r"aidez[- ]moi.{0,20}(il|elle) (va|me|est)",
        r"harcel(e|ee|ement|er)? (par|de) (mon|ma) " + _PARTNER,
        r"il (me )?(frappe|bat|tape|cogne|pousse|etrangle|enferme)", r"(suis|m'a|ma|me|l'a|est) enfermee? (dans|chez)",
        r"(mon|ma|son|sa) " + _PARTNER + r" (me|la|le|m') ?" + _HIT,
        r"(essaie|essaye|veut|tente) de (defoncer|casser|forcer|enfoncer) (ma|la) porte", r"\bme met des coups",
        r"\bdes coups (de|ce|hier)",
        r"violences? (a la maison|domestiques?|chez moi|de mon|du conjoint)", r"(subis|subit|victime de) (des )?violences?",
        r"(conjoint|mari|compagnon|copain|homme|ex|pere|beau-pere) (est |tres )?violent", r"violent(e)? (avec|envers) (moi|nous|ma|mes)",
        r"(me|la) force (a|de) (coucher|avoir des (rapports|relations)|faire)", r"(il|elle) (me|nous) (tue|tuera)\b",
        r"peur qu'?(il|elle) me (tue|retrouve|frappe)", r"\bj'?ai peur\b.{0,60}(il crie|il est la|il revient|il boit|il me)",
        r"il est a cote de moi", r"(me|m') ?harcel\w*.{0,40}(attend|devant chez moi|suit|menace)", r"\bau secours\b",
        r"(a|avec) un (couteau|fusil|flingue|pistolet|arme)", r"\bm'?a retrouvee?\b",
        r"(il|ils|elle) (est|sont) (en bas de chez moi|devant (chez moi|l'immeuble|ma porte|la porte|la maison))", r"me suit depuis",
        r"femmes battues", r"(rentrer|entrer) par (ma|la) fenetre", r"traceur", r"(m'a|on m'a|ma) droguee?", r"peur pour ma vie",
        r"interdiction d'approcher", r"(vont|va) me (defoncer|buter|tuer)", r"\bca cogne\b", r"ce (serait|sera) pire",
        r"en train de (la|le|me|les|nous) " + _HIT, r"(m'|m)empeche de (voir|sortir|travailler|parler)",
        r"prend tout mon argent", r"(sinon|car|parce qu'?) (il|elle) (m'entend|me voit|m'ecoute)",
        r"(essaie|essaye|tente|veut) d'?entrer chez (moi|nous)", r"si je pars (il|elle) (me|va me) (tue|tuer)", r"que tout s'? ?arrete",
    ),
    "urgent_child": (
        _CHILD + r"\b.{0,60}(frapp|battu|battre|(?<!se )bat\b|tap(e|ent|er)\b|maltrait|abus|touche|attouch|danger|"
        r"seuls? (a la maison|depuis|"
        r"plusieurs|toute la nuit|tout le week)|affame|(l'|le |la |les )enferm|brul|secou|bleus|tabass|gestes sexuels|"
        r"fait du mal|marques de coups)",
        r"(frapp|bat|battre|tape|taper|maltrait|secoue|tabasse|cogne)\w* (son|ses|leur|leurs|mon|mes|ma|sa|notre|nos|le|la|les|un|une) "
        + _CHILD, r"maltraitance", r"\b119\b", r"attouchement", r"inceste", r"abus sexuel", r"pedophil", r"pedocrimin",
        r"\bj'? ?ai (1[0-7]|[5-9]) ans\b.{0,60}(frapp|tap|bat|gifl|peur|touche|enferm|sans manger|seul)",
        r"\b(je suis|jsuis|chui|suis) (mineure?|au college|en (6|5|4|3)e?me?)\b.{0,60}(frapp|tap|bat|gifl|peur|touche|enferm)",
        r"(fugue|disparu|pas rentre).{0,40}(\d{1,2} ans|mineure?|avec un (homme|adulte|majeur))",
        r"(adulte|homme|majeur).{0,40}(photos|messages bizarres|veut (la|le) voir).{0,40}(fille|fils|ado|" + _CHILD + r")",
        r"(fille|fils|ado|enfant) .{0,40}(un adulte|un homme).{0,30}(photos|messages|veut (la|le) voir)",
        r"(laisse|laissent) (le |la |les |leur |son |sa )?" + _CHILD + r" (seul|pleurer des heures)",
        r"ne (lui|leur) donnent? (pas|rien) a manger", r"me fait des choses que je veux pas",
        _CHILD + r"\b.{0,40}(seuls?|enfermee?s?) .{0,40}(sans manger|depuis des heures|toute la (journee|nuit)|plein soleil|"
        r"dans (la|une) voiture|"
        r"sur (le|un) balcon|la nuit|a minuit|dans la rue|dehors)",
        _CHILD + r"\b.{0,30}(laissee?s? seule?s?|negligee?s?|victimes? de violences|"
        r"traces de coups|a des bleus|ne mangent? pas|sales et seuls|pleurer seul)",
        r"(fait|fais|font) du mal a (un|une|mon|ma|son|sa) " + _CHILD,
        r"(choses|gestes) sexuel\w* (a|sur) (un|une|mon|ma|son|sa|des|nos|mes) ",
        r"touche (ma|mon|sa|son) (petite |petit )?(soeur|frere|fille|fils)",
        _CHILD + r" de \d{1,2} ans (a fugue|n'est pas rentre|est pas rentre)", r"a fugue", r"ne nourrit pas (nos|ses|les|mes) enfants",
        r"pleure(r)? seul", r"seule? dans l'appart depuis", r"\b(me|la|le) touche (quand|la nuit|partout|le soir)",
        r"\bl'a(vait)? touche", r"(fille|fils) de \d{1,2} ans (est )?partie? de la maison", r"photos? de moi.{0,15}nue?",
        r"livres a eux-memes", r"des claques", r"marques partout", r"(enfant|petit|petite) de \d ans marche seul",
        r"veulent me marier", r"j'en ai 1[0-5]\b", r"oublie mon petit (frere|soeur)", r"(il|elle) a pas mange depuis",
        r"sans manteau", r"toujours faim", r"monter dans sa voiture", r"enferme son (fils|fille|enfant)", r"enfant seul",
        r"(videos|films|photos) (pour adultes|porno)", _CHILD + r"\b.{0,20}tout seul dans la rue",
    ),
    "urgent_suicide": (
        r"suicid", r"\bme tuer\b", r"\bje me tue\b", r"\b(se|te) tuer\b", r"\bme (donner|foutre) la mort\b",
        r"mettre fin a (mes|ma|ses|sa) (jours|vie)",
        r"\ben finir\b(?! avec (ce|ces|les|mon|ma|mes|la paperasse|le dossier|cette))", r"en finir avec (la vie|tout)",
        r"(envie|veux|veut|veu|voudrais|vais|prefere|aimerais|pense a|pense tout le temps a|laisse[rz]? moi) (de )?"
        r"(mourir|mourire|crever)\b",
        r"(parle|parlent) de (mourir|se tuer|se suicider|mettre fin)", r"(plus|pas) (envie|la force|de raison|aucune raison) de "
        r"(vivre|continuer|rester en vie)", r"(plus|pas) envie d'?(etre|exister|de vivre|vivre)",
        r"raisons? de (vivre|continuer|rester en vie)",
        r"(veux|voudrais|veut) (plus|pas) (etre|rester) (la|en vie|vivant)", r"plus (etre|rester) en vie", r"\bme pendre\b",
        r"me faire du mal", r"scarifi", r"(sauter|me jeter|me lancer|me balancer) (du|d'un|par la|par|de la|sous|dans|devant)",
        r"avaler (tous|toutes|toute|des|mes|les) (les )?(medicaments|medocs|cachets|comprimes|pilules|boite)",
        r"\b3114\b", r"disparaitre (pour (toujours|de bon)|de ce monde|a jamais)", r"(veux|voudrais|envie de|aimerais) disparaitre\b",
        r"ne plus exister", r"plus exister", r"a quoi bon (continuer|vivre|rester)", r"a quoi (ca|sa) sert de (continuer|vivre)",
        r"dormir pour toujours", r"ne plus (me )?reveiller", r"message d'adieu", r"(dit|dire|ecrit) adieu", r"idees noires",
        r"pense a la mort", r"la mort serait", r"de trop sur (cette|la) terre", r"(me )?tirer une balle",
        r"(tailler|ouvrir|couper) les veines",
        r"me foutre en l'?air", r"que tout s'?arrete", r"tout arreter,? meme de vivre", r"partir pour de bon", r"c'est fini pour moi",
        r"faire une (connerie|betise) ce soir", r"(veux|voudrais) plus vivre", r"(mets|mettre) fin a mes jours",
        r"achete une corde", r"au bord du (pont|vide|toit|precipice)", r"lettre d'?adieu", r"(mieux|mieux sans moi) sans moi",
        r"si je (meurs|mourais|disparais)", r"(ne )?(plus|pas) me reveiller", r"(s'?arrete|arreter) pour (de bon|toujours)",
        r"pour mourir\b", r"tout avaler", r"(veux|veu|veut|voudrais) plus vivre", r"en peux plus de (vivre|cette vie)",
        r"\bme regretterait", r"(ce soir|demain) c'est (fini|la fin)", r"c'est la fin pour moi", r"tout organise",
        r"(sur le|au bord du|au-dessus de la) (pont|vide|voie ferree)", r"plu envie de vivre",
        r"partir sans souffrir", r"(mes|les) lettres.{0,60}(prete?|adieu|fini)", r"se jeter (par|du|sous|dans)",
        r"(pour )?ne (plus|jamais) (se |me )?reveiller", r"(j'ai|jai) la corde", r"la rejoindre", r"vivre au-?dela",
        r"plus rien (qui|ne) me retient", r"(serai|serais) plus la", r"fusil de chasse", r"ouvert les veines",
        r"merite pas de vivre", r"marcher dans l'eau", r"passer sous un train", r"si je crevais", r"ceux qui restent",
        r"(me fais|me fait) du mal.{0,60}plus loin", r"\bje me fais du mal\b", r"au revoir a quelqu'un",
    ),
    "urgent_medical": (
        r"respire (pas|plus|mal|presque plus|difficilement)", r"(arrive|arrive plus|arrive pas|peux|peut) (plus |pas )?a respirer",
        r"n'arrive plus a respirer", r"s'?etouff", r"\binconscient", r"perdu connaissance", r"tombe(e)? dans les pommes",
        r"ne se reveille (pas|plus)", r"se reveille (pas|plus)", r"bouge plus\b",
        r"(repond|bouge) plus.{0,60}(allonge|par terre|inconscient)", r"(fait|a fait|fais|faire) un malaise",
        r"\bavc\b(?!.{0,30}(l'an dernier|l'annee derniere|il y a \d+ (ans|mois)|en 20\d\d|l'an passe))", r"crise cardiaque",
        r"arret cardiaque", r"(douleur|mal).{0,30}poitrine", r"saigne (beaucoup|enormement|abondamment|de partout)",
        r"pisse le sang", r"hemorragie", r"overdose", r"convuls", r"evanoui", r"s'est effondre", r"empoisonn", r"intoxi",
        r"\bsamu\b", r"(appel\w*|venir|viennent|faut|besoin des?) (les )?pompiers",
        r"pompiers.{0,20}(vite|urgence|maintenant|tout de suite)", r"\b112\b", r"(appeler|appelle|appelez) (le )?15\b",
        r"urgence (medicale|vitale)",
        r"(tombe|chute).{0,40}(ne bouge plus|inconscient|repond plus|se releve pas|peut plus se relever|saigne)",
        r"(gorge|langue|visage|levres?) (qui )?gonfle", r"gonfle.{0,20}(gorge|langue|visage|levres)", r"reaction allergique",
        r"choc anaphylactique", r"(brule|brulure).{0,40}(grave|gravement|peau|huile|eau bouillante|friteuse|visage|bras)",
        r"(gravement|grievement) blesse", r"s'?est fait renverser", r"(avale|avaler) (une pile|des produits|du produit|de la javel|"
        r"de l'eau de javel|un produit|des piles|un aimant)", r"(pris|avale) (trop de|toute la boite de|toute la plaquette)",
        r"(crise|crises) d'?(epilepsie|asthme)", r"tout mou", r"elle est froide", r"\bincendie\b", r"fuite de gaz",
        r"(il y a le|ca prend) feu", r"coupe(e)? (tres )?profond", r"accident.{0,30}(blesse|grave|sang)",
        r"\bambulance", r"coup de couteau", r"poignard", r"tombe(e)? (du|d'un|de la|par la) (balcon|fenetre|toit|echelle)",
        r"(jambe|bras|cheville|hanche|os|poignet) (est )?cass", r"cass\w* (la|le) (jambe|bras|cheville|hanche)",
        r"(peux|peut|arrive) (plus|pas) (a )?(me |se )?(lever|relever|bouger)", r"bouche (de travers|qui tombe)",
        r"visage paralys", r"(perdu|perd) les eaux", r"(accouche|accoucher) (la|maintenant|en ce moment)",
        r"(vomi|vomit|vomis|crache) du sang", r"saign\w* (de la tete|partout|beaucoup)",
        r"perd beaucoup de sang", r"\bmalaise\b", r"(reagit|reagis|reagissent) plus", r"avale\w* (toute )?(sa|ma|la|une) boite",
        r"fumee partout",
        r"(le )?feu (chez|dans)", r"douleur thoracique", r"\bj'?etouffe", r"monoxyde", r"tout (bleu|gris|pale)",
        r"respir\w* (plu|plus|bizarre|mal|pas)",
        r"(bu|avale|boit|bois) (de la |de l'eau de |du |de l'|un )?(javel|eau de javel|produit menager|detergent|destop|white spirit)",
        r"avale des (medicaments|medocs|cachets)",
        r"(pris|avale) des cachets", r"(arrive|arrivons) pas a (la|le) reveiller", r"glycemie", r"diabetique.{0,60}(tremble|transpire|"
        r"mal|pale|repond|flou|partir)", r"(40|41|forte|beaucoup de|brulante? de) (de )?fievre.{0,60}(delire|confus|reconnait|n'importe)",
        r"(delire|confuse?).{0,40}(fievre|brulante?)", r"fourmis dans le bras", r"(je )?me sens partir", r"repond a peine\b",
        r"(allonge|par terre).{0,40}(repond|bouge) (pas|plus)", r"plie en deux", r"mal au coeur.{0,30}(transpire|vomir|bras)",
        r"fait une crise.{0,30}(tremble|vomit|convuls)", r"odeur de gaz", r"feu a pris", r"fumee dans", r"\bflammes\b",
        r"eau bouillante", r"vois double", r"bras (est )?engourdi", r"perds? beaucoup de sang", r"os qui sort",
        r"(arrive|arrivons) pas a se reveiller", r"souffle court", r"levres (violettes|bleues)", r"coince dedans", r"s'?ecrouler",
        r"yeux dans le vide", r"la tete du bebe", r"allergique.{0,60}(plaques|tousse|gonfle|respire|gorge)", r"avale\w* (des )?medicaments",
    ),
}
# Someone who cannot hear or speak: the 114 is the way, whatever the emergency.
CANNOT_SPEAK = (r"\bsourde?s?\b", r"malentendant", r"\bmuet(te)?s?\b", r"\bj?'?entends? (pas|plus|mal)\b", r"\b(pas|mal) entendre\b",
                r"pas de telephone vocal", r"langue des signes", r"(peux|peut|pouvons) pas parler",
                r"ne (peux|peut) pas (parler|telephoner|appeler)", r"\b114\b")
# Figures of speech that sound like danger and are not.
FIGURATIVE = (r"mort(e|s)? de (fatigue|rire|faim|froid|peur|honte|chaud|ennui)",
r"(ca|cela|sa|vous|tu|ce truc|ce site|cette \w+) me tue(nt|z|s)?",
              r"me tue(nt)? (a|de) ", r"je me tue a ", r"tuer le temps", r"je craque", r"peter un (cable|plomb)",
              r"me noie dans", r"noye(e)? sous", r"\bm'assassine", r"mourir d'(ennui|impatience)",
              r"(mourir|meurs|meurt|creve|crever) de (rire|faim|froid|chaud|fatigue|honte|peur|envie|ennui|soif)",
              r"(ordi|ordinateur|telephone|portable|tel|imprimante|pc|box|tablette|batterie|voiture|frigo|machine a laver|chaudiere) "
              r"(est|a) (mort|morte|creve|rendu l'ame|lache)", r"a la rue (niveau|question|cote|en )", r"tout le monde dehors",
              r"(me|nous) bat(s|tons)? contre", r"(failli|faillir|manque de|manquer de) (faire|avoir) une crise",
              r"etouffe dans (mon|ce|cet|notre|un|une|le|la) ", r"frapp\w* (a|sur) (la|ma|votre|notre) porte", r"me battre (pour|contre)",
              r"\bmdr\b", r"\blol\b", r"\bptdr\b")


_PAST = re.compile(r"l'(hiver|ete|an|annee) (dernier|derniere|passe|passee)|il y a (longtemps|\d+ (ans|mois|semaines))|"
                   r"la semaine (derniere|passee)|le mois (dernier|passe)|autrefois|a l'epoque|c'est repare|quand j'etais (petit|"
                   r"jeune|enfant)")
_NOW = re.compile(r"ce soir|cette nuit|en ce moment|tout de suite|au secours|aidez|\bvite\b|\bla maintenant\b|encore|recommence")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("’", "'").split())


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str], re.Pattern[str]]:
    families = {name: re.compile("|".join(patterns)) for name, patterns in FAMILIES.items()}
    return families, re.compile("|".join(CANNOT_SPEAK)), re.compile("|".join(FIGURATIVE))


def families_in(text: str) -> set[str]:
    """The kinds of emergency the message itself names (after removing figures of speech).

    A message that tells of a danger long past ("hébergée par le 115 l'hiver dernier") names
    none, unless it also says the danger is now.
    """
    families, _, figurative = _compiled()
    folded = figurative.sub(" ", fold(text))
    if _PAST.search(folded) and not _NOW.search(folded):
        return set()
    return {name for name, pattern in families.items() if pattern.search(folded)}


def figurative(text: str) -> bool:
    """The message uses a figure of speech that sounds like danger ("ça me tue", "mort de fatigue")."""
    return _compiled()[2].search(fold(text)) is not None


def cannot_speak(text: str) -> bool:
    return _compiled()[1].search(fold(text)) is not None
